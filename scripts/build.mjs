#!/usr/bin/env node
// Builds the `oidc-desk` command: src-main (cli, core, demo-idp) bundled by esbuild into one CommonJS file for
// Node 20, dist/cli/main.cjs, with its V8 code cache beside it (main.cjs.cache, bin/code-cache.cjs). A short
// command starts in 65 to 100 ms of Node's own time here; compiling the CLI's ES modules took 12 to 18 ms more, and
// Node's ES module loader a few more again. Node 20 keeps no code cache for ES modules, and starting from a
// cache needs one script, so the CLI is one CommonJS file: modules that only a dynamic import reaches still
// run only when first imported (esbuild wraps each in a lazy initializer), and the dynamic imports of npm
// packages become require() (jose, uqr and oidc-provider are ES modules: require() loads them from Node 20.19).
// oauth4webapi and valibot, pure ESM libraries every command uses, are bundled: tree-shaken, they cost a few
// KB instead of importing the whole packages. Every other npm package stays external (loaded from
// node_modules): keytar is a native addon, oidc-provider and jose load only when used.
//
// Layout: dist/cli/main.cjs sits two directories below the package root like the sources under
// src-main/<dir>/, so that a `new URL('../../package.json', import.meta.url)` in the sources means the same
// file once built (import.meta.url is the built file's URL). dist/cli/ is this script's alone (it empties
// it), as are dist/web/ and dist/electron/ (the desktop app, at the end).
//
// It also builds browser mode's client script (src-main/web/client/desk-client.ts, the page's
// `window.oidcDesk`) for the browser into dist/web/oidc-desk-client.js, which `oidc-desk ui` serves.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = 'dist/cli';

const BUNDLED = new Set(['oauth4webapi', 'valibot']);

/**
 * A few of Node's built-in modules cost a short command start-up time for nothing when imported as ESM:
 * `import ... from 'node:crypto'` compiles crypto's internals even for `sessions`, which never hashes or
 * encrypts, and the ESM view of `node:fs` reads every export, which loads fs's streams. So node:crypto,
 * node:fs, node:fs/promises and node:timers/promises, where the sources import them statically, become a
 * small module of ours: each function the built-in exports (lower-case name) is a wrapper that takes the
 * built-in through `process.getBuiltinModule` at its first call; anything else (a class, an object, a
 * constant) is taken from it when first imported. Same functions, arguments and results.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:(crypto|fs|fs\/promises|timers\/promises)$/ }, (args) => (args.kind === 'import-statement' ? { path: args.path, namespace: 'lazy-builtin', sideEffects: false } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const builtin = await import(args.path);
      const id = JSON.stringify(args.path);
      const lines = [`let m;`, `const load = () => (m ??= process.getBuiltinModule(${id}));`, `const take = (name) => load()[name];`];
      for (const name of Object.keys(builtin)) {
        if (name === 'default' || !/^[A-Za-z_$][\w$]*$/.test(name)) continue;
        lines.push(typeof builtin[name] === 'function' && /^[a-z]/.test(name)
          ? `export function ${name}(...args) { return load().${name}(...args); }`
          : `export const ${name} = /* @__PURE__ */ take(${JSON.stringify(name)});`);
      }
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter((name) => !BUNDLED.has(name));

rmSync(new URL(`../${outdir}`, import.meta.url), { recursive: true, force: true });
const cliFile = `${outdir}/main.cjs`;
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src-main/cli/main.ts'],
  outfile: cliFile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() of an npm package or a built-in becomes require(): a script started from a code cache has no
  // module loader of its own for import() (Node 20 offers one only as an experimental feature, with a warning).
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  external,
  plugins: [lazyBuiltins],
  // Whitespace and comments only (480 KB instead of 620, and ASCII, which bin/code-cache.cjs reads without
  // decoding): the names stay, so a stack trace of a bug report still names our functions.
  minifyWhitespace: true,
  legalComments: 'none',
  metafile: process.argv.includes('--metafile'),
  logLevel: 'warning',
});
if (result.metafile) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL(`../${outdir}/meta.json`, import.meta.url), JSON.stringify(result.metafile, null, 1));
}
const { writeCodeCache } = createRequire(import.meta.url)('../bin/code-cache.cjs');
writeCodeCache(fileURLToPath(new URL(`../${cliFile}`, import.meta.url)), fileURLToPath(new URL(`../${cliFile}.cache`, import.meta.url)));

// Browser mode's client script: one classic script for the browser (the page loads it before the renderer).
rmSync(new URL('../dist/web', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src-main/web/client/desk-client.ts'],
  outfile: 'dist/web/oidc-desk-client.js',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});

// The desktop app (Electron): its main process as ESM for Node in dist/electron/main.js (electron and the
// same npm packages as the CLI's stay external), and the window's preload as CommonJS in
// dist/electron/preload.cjs: a sandboxed preload can require only 'electron', so everything else is bundled in.
// dist/electron/demo-idp.js, built the same way as main.js, is the demo provider the app runs in a utility
// process (the installers hold neither the CLI nor a RunAsNode fuse).
rmSync(new URL('../dist/electron', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src-main/electron/main.ts', 'demo-idp': 'src-main/demo-idp/entry.ts' },
  outdir: 'dist/electron',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});
await build({
  absWorkingDir: root,
  entryPoints: ['src-main/preload/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['electron'],
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});

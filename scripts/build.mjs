#!/usr/bin/env node
// Builds the `oidc-desk` command: src-main (cli, core, demo-idp) bundled by esbuild into dist/cli/ as ESM
// for Node 20, one chunk per lazily imported part. oauth4webapi and valibot, pure ESM libraries every
// command uses, are bundled too: tree-shaken, they cost a few KB instead of importing the whole packages
// (about 9 and 14 ms of start-up each). Every other npm package stays external (loaded from node_modules):
// keytar is a native addon, oidc-provider and jose load only when used.
//
// Layout: dist/cli/main.js is the entry (run by bin/oidc-desk.mjs) and every chunk sits beside it, two
// directories below the package root like the sources under src-main/<dir>/, so that a
// `new URL('../../package.json', import.meta.url)` in the sources means the same file once built.
// dist/cli/ is this script's alone (it empties it), as are dist/web/ and dist/electron/ (the desktop app, at the end).
//
// It also builds browser mode's client script (src-main/web/client/desk-client.ts, the page's
// `window.oidcDesk`) for the browser into dist/web/oidc-desk-client.js, which `oidc-desk ui` serves.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
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
 * constant) is taken from it when first imported. Same functions, arguments and results. bin/oidc-desk.mjs
 * supplies `process.getBuiltinModule` on a Node older than 20.16.
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
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src-main/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: '[name]-[hash]',
  plugins: [lazyBuiltins],
  // No minification: a stack trace of a bug report should name our functions.
  minify: false,
  legalComments: 'none',
  metafile: process.argv.includes('--metafile'),
  logLevel: 'warning',
});
if (result.metafile) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(new URL(`../${outdir}/meta.json`, import.meta.url), JSON.stringify(result.metafile, null, 1));
}

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

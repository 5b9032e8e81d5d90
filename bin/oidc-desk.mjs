#!/usr/bin/env node
// The `oidc-desk` command: runs the CLI built into dist/cli/ by `npm run build` (npm ci runs it through the
// `prepare` script). Plain JavaScript, no TypeScript loader at run time.

if (typeof process.getBuiltinModule !== 'function') {
  // Node before 20.16: the built CLI takes node:crypto, node:fs and a few other built-in modules through
  // process.getBuiltinModule at their first use (scripts/build.mjs says why); this gives it the same.
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  process.getBuiltinModule = (id) => require(id);
}
// node:fs taken like that, not imported: its ESM view would load fs's streams at every start.
const { existsSync } = process.getBuiltinModule('node:fs');
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`oidc-desk is not built yet: run "npm run build" in ${root} (npm ci does it, unless scripts are turned off).\n`);
  process.exit(1);
}
await import(entry.href);

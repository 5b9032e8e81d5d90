#!/usr/bin/env node
// The `oidc-desk` command: runs the CLI built into dist/cli/ by `npm run build` (npm ci runs it through the
// `prepare` script). Plain JavaScript, no TypeScript loader at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`oidc-desk is not built yet: run "npm run build" in ${root} (npm ci does it, unless scripts are turned off).\n`);
  process.exit(1);
}
await import(entry.href);

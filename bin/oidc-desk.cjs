#!/usr/bin/env node
// The `oidc-desk` command: runs the CLI that `npm run build` (which npm ci runs through the `prepare` script)
// built into dist/cli/main.cjs, from the V8 code cache the build wrote beside it (bin/code-cache.cjs).
// Plain JavaScript, CommonJS, no TypeScript loader at run time: starting a CommonJS file spares Node its
// ES module loader, and only such a file can start from a code cache on Node 20.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// The built CLI loads jose, uqr and oidc-provider (ES modules) with require(), which Node has from 20.19.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`oidc-desk needs Node.js 20.19 or later; this is Node.js ${process.versions.node}.\n`);
  process.exit(1);
}
const root = join(__dirname, '..');
const entry = join(root, 'dist', 'cli', 'main.cjs');
if (!existsSync(entry)) {
  process.stderr.write(`oidc-desk is not built yet: run "npm run build" in ${root} (npm ci does it, unless scripts are turned off).\n`);
  process.exit(1);
}
require('./code-cache.cjs').runBuilt(entry, `${entry}.cache`);

#!/usr/bin/env node
// `npm run dist`: builds (`npm run build`), then the installers for the current OS with electron-builder
// (electron-builder.yml: AppImage, deb and tar.gz on Linux; dmg on macOS; NSIS on Windows) into release/.
//
// electron-builder packages an unpacked Electron distribution given as `electronDist`: the one in
// ELECTRON_OVERRIDE_DIST_PATH, else node_modules/electron/dist (Electron downloads it the first time it runs,
// e.g. `npx electron --version`). Without either it stops with one line saying so, instead of letting
// electron-builder try (and, offline, fail) to download Electron. The binary is looked for without
// require('electron'), which would try to download it.
//
// Options: --no-build (package what dist/ holds); everything else goes to electron-builder, e.g.
// `npm run dist -- --linux deb` or `-c.directories.output=<dir>`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The unpacked Electron distribution to package, or why there is none. */
function electronDist() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const dir = resolve(override);
    return existsSync(dir) && statSync(dir).isDirectory() ? { dir } : { missing: `ELECTRON_OVERRIDE_DIST_PATH is not a directory (${dir})` };
  }
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(pkg)) return { missing: 'no Electron here (the electron package is not installed: npm ci)' };
  const pathTxt = join(pkg, 'path.txt');
  const dir = join(pkg, 'dist');
  const binary = existsSync(pathTxt) ? join(dir, readFileSync(pathTxt, 'utf8').trim()) : undefined;
  if (binary === undefined || !existsSync(binary)) {
    return { missing: 'no Electron binary here (node_modules/electron/dist is missing: run `npx electron --version` once where it can be downloaded, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron distribution)' };
  }
  return { dir };
}

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const builderArgs = args.filter((arg) => arg !== '--no-build');

const dist = electronDist();
if (dist.missing !== undefined) {
  process.stderr.write(`npm run dist: ${dist.missing}.\n`);
  process.exit(1);
}

if (build) {
  const npm = process.env.npm_execpath;
  const r = spawnSync(npm ? process.execPath : 'npm', [...(npm ? [npm] : []), 'run', 'build'], { cwd: root, stdio: 'inherit', shell: !npm && process.platform === 'win32' });
  if (r.status !== 0) {
    process.stderr.write('npm run dist: the build failed (see above).\n');
    process.exit(r.status ?? 1);
  }
}

const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main;
if (typeof main !== 'string' || !existsSync(join(root, main))) {
  process.stderr.write(`npm run dist: the desktop app's main process (${main}) is not built.\n`);
  process.exit(1);
}

const cli = join(root, 'node_modules', 'electron-builder', 'cli.js');
const child = spawn(process.execPath, [cli, '--publish', 'never', `--config.electronDist=${dist.dir}`, ...builderArgs], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

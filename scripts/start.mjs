#!/usr/bin/env node
// `npm start`: builds (`npm run build`: the CLI, the browser-mode client and the renderer), then launches the
// desktop app when an Electron binary and the app's main process are there. Otherwise it says why in one
// line and runs browser mode (`oidc-desk ui`) on the default data directory instead: the same window in the
// system browser.
//
// Options: --no-build (use what dist/ holds), --data-dir <dir> (another data directory); the rest goes to
// `oidc-desk ui` (--port <n>, --no-open). The Electron binary is looked for without require('electron'),
// which would try to download it (scripts/electron-binary.mjs, shared with the Electron end-to-end test).
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { ROOT as root, electronBinary, mainProcessMissing } from './electron-binary.mjs';

function parse(argv) {
  let build = true;
  const dataDir = [];
  const rest = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--no-build') build = false;
    else if (arg === '--data-dir' && i + 1 < argv.length) dataDir.push(arg, argv[(i += 1)]);
    else if (arg.startsWith('--data-dir=')) dataDir.push(arg);
    else rest.push(arg);
  }
  return { build, dataDir, rest };
}

/** Runs a child with this terminal, passing on SIGTERM/SIGHUP (Ctrl-C reaches it directly), and exits with its status. */
function runAttached(file, args) {
  const child = spawn(file, args, { cwd: root, stdio: 'inherit' });
  // Ctrl-C goes to the whole foreground group: the child stops itself, and this script waits for it.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`npm start: ${file} could not run (${error.code ?? 'error'}).\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

const { build, dataDir, rest } = parse(process.argv.slice(2));
if (build) {
  const npm = process.env.npm_execpath;
  const r = spawnSync(npm ? process.execPath : 'npm', [...(npm ? [npm] : []), 'run', 'build'], { cwd: root, stdio: 'inherit', shell: !npm && process.platform === 'win32' });
  if (r.status !== 0) {
    process.stderr.write('npm start: the build failed (see above).\n');
    process.exit(r.status ?? 1);
  }
}

const electron = electronBinary();
const why = electron.missing ?? mainProcessMissing();
if (why === undefined) {
  runAttached(electron.file, [root]);
} else {
  process.stderr.write(`npm start: ${why}; opening browser mode (oidc-desk ui) instead.\n`);
  runAttached(process.execPath, [join(root, 'bin', 'oidc-desk.cjs'), ...dataDir, 'ui', ...rest]);
}

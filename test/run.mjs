#!/usr/bin/env node
// The one test command (`npm test`): type-check, lint with the layer rule, then every test layer
// (unit, integration, e2e) under node's test runner; ends with `N passed, N failed, N skipped`.
//
// Keychain tests need a Secret Service: when dbus-run-session and gnome-keyring-daemon are installed
// (.ci/run installs them), the test layer runs inside a private D-Bus session with an unlocked keyring
// and no DISPLAY (a display would let a locked keyring open a prompt and hang). Otherwise those tests
// report themselves skipped with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const filters = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');

let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, cmd, cmdArgs) {
  console.log(`\n== ${name}: ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) passed += 1;
  else failed += 1;
  console.log(`== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`}`);
}

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out.sort();
}

function which(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).status === 0;
}

if (!only || only === 'static') {
  step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  step('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
}

if (!only || only === 'tests') {
  let files = findTests(join(root, 'test'));
  if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.includes(p)));
  const workDir = mkdtempSync(join(tmpdir(), 'oidc-desk-test-'));
  const summaryFile = join(workDir, 'summary.json');
  const nodeArgs = [
    '--import', 'tsx', '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'test/summary-reporter.mjs')}`, `--test-reporter-destination=${summaryFile}`,
    ...files,
  ];
  const env = { ...process.env };
  // A private XDG data home: the test keyring never meets (or is locked by) a keyring already on the machine.
  env.XDG_DATA_HOME = join(workDir, 'xdg-data');
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  let cmd = process.execPath;
  let cmdArgs = nodeArgs;
  if (process.env.OIDC_DESK_NO_KEYRING !== '1' && which('dbus-run-session') && which('gnome-keyring-daemon')) {
    const quoted = [process.execPath, ...nodeArgs].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    cmd = 'dbus-run-session';
    cmdArgs = ['--', 'sh', '-c',
      `printf %s oidc-desk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; export OIDC_DESK_TEST_KEYRING=1; exec ${quoted}`];
  }
  console.log(`\n== tests: ${files.length} files${cmd === 'dbus-run-session' ? ' (inside a private D-Bus session with gnome-keyring)' : ''}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  if (existsSync(summaryFile)) {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8').trim().split('\n').pop());
    passed += s.passed;
    failed += s.failed;
    skipped += s.skipped;
  } else {
    failed += 1;
    console.log('== tests: the test runner wrote no summary');
  }
  if (r.status !== 0 && failed === 0) failed += 1;
  rmSync(workDir, { recursive: true, force: true });
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);

#!/usr/bin/env node
// The one test command (`npm test`): type-check, lint with the layer rule, build the CLI (the e2e tests run
// bin/oidc-desk.cjs, which runs dist/cli/, as users do), then every test layer (unit, integration, e2e)
// under node's test runner; ends with `N passed, N failed, N skipped`.
//
// Keychain tests need a Secret Service: when dbus-run-session and gnome-keyring-daemon are installed
// (.ci/run installs them), the test layer runs inside a private D-Bus session with an unlocked keyring
// and no DISPLAY (a display would let a locked keyring open a prompt and hang). Otherwise those tests
// report themselves skipped with the reason.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { inKeyringSession, keyringAvailable } from '../scripts/keyring-session.mjs';

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

if (!only || only === 'static') {
  step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  step('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
}

if (!only || only === 'tests') {
  // Always from the current sources: an edit to src-main is what the e2e tests run.
  step('build', process.execPath, ['scripts/build.mjs']);
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
  // Every temporary file of the run (data directories, browser profiles, provider files: thousands per run)
  // goes under the run's own directory, removed at the end, rather than staying in the system's.
  env.TMPDIR = join(workDir, 'tmp');
  mkdirSync(env.TMPDIR);
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  let cmd = process.execPath;
  let cmdArgs = nodeArgs;
  if (keyringAvailable()) ({ cmd, args: cmdArgs } = inKeyringSession([process.execPath, ...nodeArgs]));
  console.log(`\n== tests: ${files.length} files${cmd === 'dbus-run-session' ? ' (inside a private D-Bus session with gnome-keyring)' : ''}`);
  // Every secret a test saw issued goes to the ledger; all output of the run is kept to grep for them.
  const ledger = join(workDir, 'secrets-ledger.txt');
  writeFileSync(ledger, '');
  env.OIDC_DESK_SECRET_LEDGER = ledger;
  const output = [];
  const status = await new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.on('data', (d) => { output.push(d); process.stdout.write(d); });
    child.stderr.on('data', (d) => { output.push(d); process.stderr.write(d); });
    child.on('close', (code) => resolve(code));
  });
  const r = { status };
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

  // SECURITY.md, logs: no token, code or state a test saw may appear anywhere in what the suite printed.
  const printed = Buffer.concat(output).toString('utf8') + (existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '');
  const secrets = [...new Set(readFileSync(ledger, 'utf8').split('\n').filter((l) => l.length >= 8))];
  const leaked = secrets.filter((secret) => printed.includes(secret));
  console.log(`\n== secrets in output: ${secrets.length} issued secrets checked against ${printed.length} bytes of output: ${leaked.length} found`);
  for (const secret of leaked) console.log(`   leaked: sha256 ${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`);
  if (secrets.length === 0 && files.length > 0 && filters.length === 0) {
    console.log('== secrets in output: FAILED (the tests recorded no secrets, so the check would prove nothing)');
    failed += 1;
  } else if (leaked.length > 0) failed += 1;
  else passed += 1;
  rmSync(workDir, { recursive: true, force: true });
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);

#!/usr/bin/env node
// `npm run bench [-- <name> ...]`: builds the CLI, then runs each bench/*.bench.ts (or those whose name
// contains a given word) through tsx, one after the other, inside a private D-Bus session with gnome-keyring
// when the machine has one (the keychain rows need it). Benchmarks print tables; they never fail on a figure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inKeyringSession, keyringAvailable } from '../scripts/keyring-session.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w))).sort();

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const env = { ...process.env };
delete env.DISPLAY;
delete env.WAYLAND_DISPLAY;
const xdg = mkdtempSync(join(tmpdir(), 'oidc-desk-bench-xdg-'));
env.XDG_DATA_HOME = xdg;
let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const argv = [process.execPath, '--import', 'tsx', join('bench', bench)];
  const { cmd, args } = keyringAvailable() ? inKeyringSession(argv) : { cmd: argv[0], args: argv.slice(1) };
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    failed += 1;
    console.log(`== ${bench}: FAILED (exit ${r.status ?? r.signal})`);
  }
}
rmSync(xdg, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);

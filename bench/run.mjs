#!/usr/bin/env node
// `npm run bench [-- <word> ...]`: builds the CLI, then runs each bench/*.bench.ts (or those whose name
// contains a given word) through tsx, one after the other, inside a private D-Bus session with gnome-keyring
// when the machine has one (the keychain rows need it). Each bench prints its rows as JSON lines
// (bench/report.ts); this prints them as one table with the machine's load and Node version, and writes
// the same to bench/results/latest.json and bench/results/<date>.json. Benchmarks never fail on a figure:
// the exit status is 1 only when a bench itself failed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { register } from 'tsx/esm/api';
import { inKeyringSession, keyringAvailable } from '../scripts/keyring-session.mjs';

register();
const { formatReport, parseRowLine, reportDocument } = await import('./report.ts');

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w))).sort();
if (benches.length === 0) {
  console.error(`no bench/*.bench.ts matches ${filters.join(' ')}`);
  process.exit(2);
}

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const env = { ...process.env };
delete env.DISPLAY;
delete env.WAYLAND_DISPLAY;
const xdg = mkdtempSync(join(tmpdir(), 'oidc-desk-bench-xdg-'));
env.XDG_DATA_HOME = xdg;

/** Runs one bench; resolves with its rows and exit status. Its other stdout lines are its progress. */
function runBench(file) {
  const argv = [process.execPath, '--import', 'tsx', join('bench', file)];
  const { cmd, args } = keyringAvailable() ? inKeyringSession(argv) : { cmd: argv[0], args: argv.slice(1) };
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env });
  const rows = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const row = parseRowLine(line);
    if (row === undefined) console.log(`  ${line}`);
    else rows.push(row);
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ rows, status: code ?? signal })));
}

const started = performance.now();
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const startLoad = loadavg();
const rows = [];
let failed = 0;
for (const file of benches) {
  const name = file.replace(/\.bench\.ts$/, '');
  const t0 = performance.now();
  console.log(`== ${name}`);
  const result = await runBench(file);
  rows.push(...result.rows);
  if (result.status !== 0) {
    failed += 1;
    rows.push({ bench: name, what: 'the bench itself', figure: 'failed', budget: '', ok: null, reference: '', skipped: `it exited ${result.status}; its output is above` });
  }
  console.log(`== ${name}: ${result.rows.length} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s${result.status === 0 ? '' : `, FAILED (exit ${result.status})`}`);
}
rmSync(xdg, { recursive: true, force: true });

const doc = reportDocument({
  date,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
  loadAverage: { start: startLoad, end: loadavg() },
  durationSeconds: (performance.now() - started) / 1000,
}, rows);
console.log(`\n${formatReport(doc)}`);
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });
const json = `${JSON.stringify(doc, null, 2)}\n`;
const dated = join(results, `${date.replaceAll(':', '-')}.json`);
writeFileSync(dated, json);
writeFileSync(join(results, 'latest.json'), json);
console.log(`written to ${dated} and bench/results/latest.json`);
process.exit(failed === 0 ? 0 : 1);

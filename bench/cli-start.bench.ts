/**
 * Benchmark: how long the built `oidc-desk` takes to run a quick command, as a ratio to `node -e 0`
 * measured in the same rounds (timings on a shared machine are noisy; ratios in one run are not):
 * `--version`, `sessions` over a data directory listing 20 sessions, and `token <session>` answered from
 * the token cache (a real sign-in against the local provider first, its refresh token and cache key in the
 * real keychain). Also the CPU time each run used (user + system, from the shell's `times`: steadier than
 * wall time when other programs compete for the cores) and which heavy packages each command loaded
 * (test/harness/module-trace.mjs).
 * Budgets: `--version` and `sessions` at most 1.5x, `token` at most 2x. No assertion: it prints a table
 * and writes bench/results/cli-start.json.
 * Run: npm run bench -- cli-start   (builds first; inside a D-Bus session with gnome-keyring for `token`)
 * RUNS=20 to change the number of rounds (at least 10).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { BIN, Cli, KEYRING, ROOT } from '../test/harness/cli-runner.ts';
import { startTestIdp } from '../test/harness/idp.ts';
import { dataDirWithSessions } from '../test/harness/session-fixtures.ts';
import { printTable, summarize } from './stats.ts';

const runs = Math.max(10, Number(process.env.RUNS ?? 15));
const HEAVY = ['jose', 'oidc-provider', 'keytar', 'oauth4webapi', 'playwright-core', 'tsx'];

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Largest accepted ratio to `node -e 0`; undefined for the baseline. */
  readonly budget?: number;
}

/** Runs a case once; fails loudly when the command fails (a failing command would be fast for nothing). */
function runOnce(c: Case, extraEnv: NodeJS.ProcessEnv = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, c.argv, { env: { ...c.env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return ms;
}

/** CPU time (user + system, ms) of one run of a case, as bash's `times` reports it for its children. */
function cpuOnce(c: Case): number {
  const r = spawnSync('bash', ['-c', '"$0" "$@" >/dev/null 2>&1 || exit 9; times', process.execPath, ...c.argv], { env: c.env, encoding: 'utf8' });
  const children = r.stdout.trim().split('\n').at(-1) ?? '';
  const times = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000);
  if (r.status !== 0 || times.length !== 2) throw new Error(`${c.name}: no CPU time (${r.status ?? r.signal})`);
  return (times[0] ?? 0) + (times[1] ?? 0);
}

/** The npm packages (of HEAVY) a case loads, from one traced run. */
async function heavyPackagesLoaded(c: Case): Promise<string[]> {
  const trace = join(await mkdtemp(join(tmpdir(), 'oidc-desk-trace-')), 'modules.txt');
  const hook = pathToFileURL(join(ROOT, 'test', 'harness', 'module-trace.mjs')).href;
  runOnce(c, { OIDC_DESK_MODULE_TRACE: trace, NODE_OPTIONS: `--import=${hook}` });
  const text = await readFile(trace, 'utf8').catch(() => '');
  return HEAVY.filter((name) => text.includes(`/node_modules/${name}/`));
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env };
delete baseEnv['NODE_OPTIONS'];
const cases: Case[] = [
  { name: 'node -e 0', argv: ['-e', '0'], env: baseEnv },
  { name: 'oidc-desk --version', argv: [BIN, '--version'], env: baseEnv, budget: 1.5 },
  { name: 'oidc-desk sessions (20)', argv: [BIN, '--data-dir', await dataDirWithSessions(20), 'sessions'], env: baseEnv, budget: 1.5 },
];

let skippedToken: string | undefined;
const idp = KEYRING ? await startTestIdp() : undefined;
try {
  if (idp === undefined) {
    skippedToken = 'needs a Secret Service keychain: run through "npm run bench" (a private D-Bus session with gnome-keyring)';
  } else {
    const cli = await Cli.create();
    const add = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent']);
    if (add.code !== 0) throw new Error(add.stderr);
    const id = await cli.login('local');
    cases.push({ name: 'oidc-desk token (cached)', argv: [BIN, '--data-dir', cli.dataDir, 'token', id], env: cli.env({ NODE_OPTIONS: undefined }), budget: 2 });
  }

  // Rounds interleave the cases, so a slow moment of the machine hits all of them alike.
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) runOnce(c); // warm the file system cache
  for (let round = 0; round < runs; round++) for (const c of cases) samples.get(c.name)?.push(runOnce(c));
  for (let round = 0; round < runs; round++) for (const c of cases) cpu.get(c.name)?.push(cpuOnce(c));
  if (idp !== undefined) {
    await idp.resetCounts();
    runOnce(cases.at(-1)!);
    const counts = await idp.counts();
    if (Object.keys(counts).length > 0) throw new Error(`token was not answered from the cache: ${JSON.stringify(counts)}`);
  }

  const base = summarize(samples.get('node -e 0') ?? []).median;
  const cpuBase = summarize(cpu.get('node -e 0') ?? []).median;
  const results = [];
  for (const c of cases) {
    const s = summarize(samples.get(c.name) ?? []);
    const ratio = s.median / base;
    const cpuMedian = summarize(cpu.get(c.name) ?? []).median;
    results.push({
      command: c.name, medianMs: Number(s.median.toFixed(1)), p95Ms: Number(s.p95.toFixed(1)), ratio: Number(ratio.toFixed(2)),
      cpuMedianMs: Number(cpuMedian.toFixed(1)), cpuRatio: Number((cpuMedian / cpuBase).toFixed(2)),
      budget: c.budget ?? null, withinBudget: c.budget === undefined ? null : ratio <= c.budget,
      heavyPackagesLoaded: c.budget === undefined ? [] : await heavyPackagesLoaded(c),
    });
  }
  console.log(`CLI start, built JavaScript (dist/cli), median of ${runs} runs each, ratio to "node -e 0" in the same rounds (budgets on wall time):`);
  printTable(['command', 'median ms', 'p95 ms', 'ratio', 'budget', 'ok', 'CPU ms', 'CPU ratio', 'heavy packages loaded'], results.map((r) => [
    r.command, r.medianMs, r.p95Ms, `${r.ratio.toFixed(2)}x`, r.budget === null ? '' : `${r.budget}x`,
    r.withinBudget === null ? '' : r.withinBudget ? 'yes' : 'NO', r.cpuMedianMs, `${r.cpuRatio.toFixed(2)}x`,
    r.heavyPackagesLoaded.join(' ') || (r.budget === null ? '' : '-'),
  ]));
  if (skippedToken !== undefined) console.log(`(oidc-desk token: skipped, ${skippedToken})`);
  const out = join(ROOT, 'bench', 'results', 'cli-start.json');
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runs, results, ...(skippedToken ? { skipped: { token: skippedToken } } : {}) }, null, 2)}\n`);
  console.log(`written to ${out}`);
} finally {
  await idp?.stop();
}

/**
 * CLI start: how long the built `oidc-desk` takes to run a quick command, as a ratio to `node -e 0`
 * measured in the same rounds (interleaved): `--version`, `sessions` over a data directory listing 20
 * sessions, and `token <session>` answered from the token cache (a real sign-in against the local
 * provider first, its refresh token and cache key in the real keychain; the provider counts no request
 * during the measured runs). Also the CPU time of each (user + system, from the shell's `times`: steadier
 * than wall time when other programs compete for the cores) and which heavy packages each command loaded
 * (test/harness/module-trace.mjs) and whether V8 accepted the built CLI's code cache, in the row's values.
 * Budgets: `--version` and `sessions` at most 1.5x, `token` at most 2x (wall time).
 * Run: npm run bench -- cli-start   (RUNS=15 rounds, at least 10)
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { BIN, Cli, KEYRING, ROOT } from '../test/harness/cli-runner.ts';
import { startTestIdp } from '../test/harness/idp.ts';
import { dataDirWithSessions } from '../test/harness/session-fixtures.ts';
import { reportRows, skippedRow, type BenchRow } from './report.ts';
import { msText, ratioText, summarize } from './stats.ts';

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

/** The npm packages (of HEAVY) a case loads, and what V8 made of the built CLI's code cache, from one traced run. */
async function traceOf(c: Case): Promise<{ heavy: string[]; codeCache: string }> {
  const trace = join(await mkdtemp(join(tmpdir(), 'oidc-desk-trace-')), 'modules.txt');
  const hook = pathToFileURL(join(ROOT, 'test', 'harness', 'module-trace.mjs')).href;
  runOnce(c, { OIDC_DESK_MODULE_TRACE: trace, NODE_OPTIONS: `--import=${hook}` });
  const text = await readFile(trace, 'utf8').catch(() => '');
  const codeCache = /^code-cache:\S+\/dist\/cli\/main\.cjs (\w+)$/m.exec(text)?.[1] ?? 'not used';
  return { heavy: HEAVY.filter((name) => text.includes(`/node_modules/${name}/`)), codeCache };
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
  const rows: BenchRow[] = [];
  for (const c of cases) {
    if (c.budget === undefined) continue;
    const s = summarize(samples.get(c.name) ?? []);
    const ratio = s.median / base;
    const cpuMedian = summarize(cpu.get(c.name) ?? []).median;
    const { heavy, codeCache } = await traceOf(c);
    rows.push({
      bench: 'cli-start',
      what: `${c.name}, wall time`,
      figure: ratioText(ratio),
      budget: `<= ${c.budget}x`,
      ok: ratio <= c.budget,
      reference: `node -e 0 ${msText(base)}; ${c.name.replace(/ \(.*/, '')} ${msText(s.median)}; CPU ${ratioText(cpuMedian / cpuBase)} (medians of ${runs}); code cache ${codeCache}`,
      values: {
        ratio, medianMs: s.median, p95Ms: s.p95, nodeMedianMs: base, cpuRatio: cpuMedian / cpuBase, cpuMedianMs: cpuMedian, nodeCpuMedianMs: cpuBase,
        runs, heavyPackagesLoaded: heavy.join(' '), codeCache,
      },
    });
  }
  if (skippedToken !== undefined) rows.push(skippedRow('cli-start', 'oidc-desk token (cached), wall time', '<= 2x', skippedToken));
  reportRows(rows);
} finally {
  await idp?.stop();
}

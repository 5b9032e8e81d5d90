/**
 * Start-up of the core: `openDesk()` and the first `listSessions` over a data directory whose index lists
 * 1000 sessions, each in a fresh process (a cold start, the modules already imported): the time, the
 * heap after it (after a full GC), and the keychain calls it made (a counting store: start-up reads the
 * index only, so there must be none). Reference, in the same process: reading and parsing sessions.json.
 * Budgets: under 50 ms, heap under 30 MB, no keychain call. Run: npm run bench -- startup   (RUNS=9)
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDesk } from '../src-main/core/desk.ts';
import type { ClientCredentialRead } from '../src-main/core/store/client-credential.ts';
import type { SecretRead, SecretStore, SecretStoreStatus } from '../src-main/core/store/secret-store.ts';
import { dataDirWithSessions } from '../test/harness/session-fixtures.ts';
import { reportRows, type BenchRow } from './report.ts';
import { mbText, median, msText } from './stats.ts';

const BENCH = 'startup';
const SESSIONS = 1000;
const BOOT_BUDGET_MS = 50;
const HEAP_BUDGET_MB = 30;

/** A secret store that counts calls: start-up must make none. */
class CountingStore implements SecretStore {
  readonly persistent = true;
  calls = 0;
  async status(): Promise<SecretStoreStatus> {
    this.calls++;
    return { state: 'available' };
  }
  async get(): Promise<SecretRead> {
    this.calls++;
    return { kind: 'absent' };
  }
  async set(): Promise<void> {
    this.calls++;
  }
  async delete(): Promise<boolean> {
    this.calls++;
    return false;
  }
  async getClient(): Promise<ClientCredentialRead> {
    this.calls++;
    return { kind: 'absent' };
  }
  async setClient(): Promise<void> {
    this.calls++;
  }
  async deleteClient(): Promise<boolean> {
    this.calls++;
    return false;
  }
}

/** What one fresh process measured. */
interface Boot {
  readonly bootMs: number;
  readonly parseMs: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly keychainCalls: number;
  readonly listed: number;
}

/** In the child: one boot, printed as JSON. */
async function child(dataDir: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const store = new CountingStore();
  const t0 = performance.now();
  const desk = await openDesk({ dataDir, secrets: store });
  const listed = await desk.api.listSessions();
  const bootMs = performance.now() - t0;
  if (!listed.ok) throw new Error(listed.error.code);
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  JSON.parse(await readFile(join(dataDir, 'sessions.json'), 'utf8'));
  const parseMs = performance.now() - t1;
  desk.close();
  const boot: Boot = { bootMs, parseMs, heapBefore, heapAfter, keychainCalls: store.calls, listed: listed.value.length };
  process.stdout.write(`${JSON.stringify(boot)}\n`);
}

async function main(): Promise<void> {
  const runs = Number(process.env['RUNS'] ?? 9);
  const dataDir = await dataDirWithSessions(SESSIONS);
  const self = fileURLToPath(import.meta.url);
  const boots: Boot[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', self, '--child', dataDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`boot child exited ${r.status ?? r.signal}: ${r.stderr}`);
    const boot = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Boot;
    if (boot.listed !== SESSIONS) throw new Error(`listed ${boot.listed} sessions, not ${SESSIONS}`);
    if (i > 0) boots.push(boot); // the first one warms the file system cache
  }
  const bootMs = median(boots.map((b) => b.bootMs));
  const parseMs = median(boots.map((b) => b.parseMs));
  const heapAfter = median(boots.map((b) => b.heapAfter));
  const heapBefore = median(boots.map((b) => b.heapBefore));
  const calls = Math.max(...boots.map((b) => b.keychainCalls));
  const rows: BenchRow[] = [
    {
      bench: BENCH, what: `core boot: openDesk + first listSessions, ${SESSIONS} sessions in the index`,
      figure: msText(bootMs), budget: `< ${BOOT_BUDGET_MS} ms`, ok: bootMs < BOOT_BUDGET_MS,
      reference: `reading + JSON.parse of sessions.json ${msText(parseMs)} (medians of ${runs} fresh processes)`,
      values: { bootMedianMs: bootMs, parseMedianMs: parseMs, runs },
    },
    {
      bench: BENCH, what: `heap after that boot (after a full GC), ${SESSIONS} sessions`,
      figure: mbText(heapAfter), budget: `< ${HEAP_BUDGET_MB} MB`, ok: heapAfter < HEAP_BUDGET_MB * 1024 * 1024,
      reference: `before openDesk, modules loaded: ${mbText(heapBefore)}`,
      values: { heapAfterBytes: heapAfter, heapBeforeBytes: heapBefore },
    },
    {
      bench: BENCH, what: 'keychain calls during that boot (counted)',
      figure: String(calls), budget: '0', ok: calls === 0,
      reference: `largest count of ${runs} boots`,
      values: { keychainCalls: calls },
    },
  ];
  reportRows(rows);
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1] ?? '');
else await main();

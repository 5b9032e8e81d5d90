/**
 * Memory: the heap of a process holding 1000 sessions with their decoded tokens (access token, ID token,
 * its claims and verification report) and a 50-entry timeline each, after a full GC, in a fresh process.
 * The tokens and exchanges are real: one session signed in and refreshed against the local provider
 * through a desk (bench/desk-sessions.ts). Its tokens, read back from its token cache, are written to the
 * caches of 1000 sessions of a new data directory (an index record and a keychain entry each, in the
 * in-memory store standing in for a keychain), and the measuring process opens a desk over it and reveals
 * each session's access token, which loads its decoded tokens from the cache as a restarted app does.
 * The timelines are copies of the real session's masked exchanges, 50 per session, each made as unlike the
 * others as real ones are (fingerprints and Date of its own: see `unlike`). The desk's own exchange
 * log keeps the last 500 exchanges of all sessions (ExchangeLog's limit), so 50 000 entries are held in a
 * log sized for them beside the desk: the figure is the heap the stated load needs.
 * Budget: under 60 MB. Reference: the same process before openDesk (modules loaded), and with the
 * sessions' tokens loaded but no timeline. Run: npm run bench -- memory
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionView, TimelineEntry } from '../src-main/core/contract.ts';
import { openDesk } from '../src-main/core/desk.ts';
import { ExchangeLog } from '../src-main/core/http/exchange-log.ts';
import { newCacheKey, TokenCache, type HeldTokens } from '../src-main/core/session/token-cache.ts';
import { checkDataDir } from '../src-main/core/store/data-dir.ts';
import type { StoredSecret } from '../src-main/core/store/secret-store.ts';
import { sessionIndexStore, type SessionRecord } from '../src-main/core/store/session-index.ts';
import { DEMO_USERS, startTestIdp } from '../test/harness/idp.ts';
import { addLocalProfile, inBatches, must, openBenchDesk, signInDesk } from './desk-sessions.ts';
import { reportRows, type BenchRow } from './report.ts';
import { instantKeychain } from './secret-stores.ts';
import { mbText } from './stats.ts';

const BENCH = 'memory';
const SESSIONS = 1000;
const TIMELINE = 50;
const BUDGET_MB = 60;

/** The real session the measuring process copies: its index record, keychain entry, tokens and exchanges. */
interface Template {
  readonly record: SessionRecord;
  readonly secret: StoredSecret;
  readonly held: HeldTokens;
  readonly exchanges: readonly TimelineEntry[];
}

/** In the parent: one real session, signed in and refreshed a few times. */
async function template(): Promise<Template> {
  const idp = await startTestIdp();
  const secrets = instantKeychain();
  const desk = await openBenchDesk(secrets);
  try {
    await addLocalProfile(desk, idp.issuer, 'local');
    const user = DEMO_USERS[0]!;
    const session: SessionView = await signInDesk(desk, 'local', user.username, user.password);
    for (let i = 0; i < 3; i++) must(await desk.api.refreshSession({ sessionId: session.id }), 'refreshSession');
    const read = await secrets.get(session.id);
    if (read.kind !== 'found' || read.secret.cacheKey === undefined) throw new Error('no keychain entry with a cache key');
    const held = await new TokenCache(desk.dataDir).read(session.id, read.secret.cacheKey, { issuer: read.secret.issuer, clientId: read.secret.clientId });
    const record = (await sessionIndexStore(desk.dataDir, Date.now).read()).sessions.find((s) => s.id === session.id);
    if (held?.idTokenClaims === undefined || record === undefined) throw new Error('the session has no cached ID token');
    return { record, secret: read.secret, held, exchanges: desk.exchanges.entries({ sessionId: session.id }) };
  } finally {
    desk.close();
    await idp.stop();
  }
}

/** What the measuring process saw. */
interface Heap {
  readonly before: number;
  readonly tokens: number;
  readonly timelines: number;
  readonly exchangesCopied: number;
  readonly loaded: number;
}

/**
 * A copy of a real exchange made as unlike the others as real ones are: each masked secret gets a
 * fingerprint of its own (every code and token differs) and the Date header a second of its own, so
 * the log shares only what real exchanges share (the provider's metadata and keys, most header values).
 */
function unlike(entry: Omit<TimelineEntry, 'id'>, copy: number): Omit<TimelineEntry, 'id'> {
  const fresh = (text: string): string => text.replace(/\*\*\*masked-[0-9a-f]{8}/g, () => `***masked-${randomBytes(4).toString('hex')}`);
  const date = new Date(Date.UTC(2026, 0, 1) + copy * 1000).toUTCString();
  return {
    ...entry,
    url: fresh(entry.url),
    requestBody: fresh(entry.requestBody),
    ...(entry.responseBody === undefined ? {} : { responseBody: fresh(entry.responseBody) }),
    ...(entry.responseHeaders === undefined ? {} : { responseHeaders: { ...entry.responseHeaders, ...('date' in entry.responseHeaders ? { date } : {}) } }),
  };
}

/** In the child: 1000 sessions from the template, their tokens loaded through the desk, then the timelines. */
async function child(file: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const t = JSON.parse(await readFile(file, 'utf8')) as Template;
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-bench-memory-'));
  await checkDataDir(dataDir);
  const secrets = instantKeychain();
  const cache = new TokenCache(dataDir);
  const records = await inBatches(SESSIONS, 25, async (i): Promise<SessionRecord> => {
    const id = `s-${i.toString(16).padStart(8, '0')}`;
    const cacheKey = newCacheKey();
    await secrets.set(id, { ...t.secret, cacheKey });
    await cache.write(id, cacheKey, t.held);
    return { ...t.record, id, profile: `p${i}`, createdAt: t.record.createdAt + i };
  });
  await sessionIndexStore(dataDir, Date.now).update((doc) => ({ ...doc, sessions: records }));
  records.length = 0;

  gc();
  const before = process.memoryUsage().heapUsed;
  const desk = await openDesk({ dataDir, secrets });
  const listed = must(await desk.api.listSessions(), 'listSessions');
  const loaded = (await inBatches(listed.length, 25, async (i) => {
    const sessionId = listed[i]?.id ?? '';
    must(await desk.api.revealToken({ sessionId, type: 'access' }), 'revealToken');
    return must(await desk.api.getSession({ sessionId }), 'getSession').idToken?.claims['sub'] !== undefined;
  })).filter(Boolean).length;
  gc();
  const tokens = process.memoryUsage().heapUsed;
  const log = new ExchangeLog(SESSIONS * TIMELINE);
  let copy = 0;
  for (let i = 0; i < SESSIONS; i++) {
    const sessionId = `s-${i.toString(16).padStart(8, '0')}`;
    for (let n = 0; n < TIMELINE; n++) {
      const { id: _id, ...entry } = structuredClone(t.exchanges[n % t.exchanges.length]!);
      log.add({ ...unlike(entry, copy++), context: { sessionId } });
    }
  }
  gc();
  const timelines = process.memoryUsage().heapUsed;
  const heap: Heap = { before, tokens, timelines, exchangesCopied: log.entries().length, loaded };
  process.stdout.write(`${JSON.stringify(heap)}\n`);
  desk.close();
  await rm(dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-bench-memory-'));
  const file = join(dir, 'template.json');
  try {
    const t = await template();
    await writeFile(file, JSON.stringify(t), { mode: 0o600 });
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the measuring process exited ${r.status ?? r.signal}: ${r.stderr}`);
    const heap = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Heap;
    if (heap.loaded !== SESSIONS || heap.exchangesCopied !== SESSIONS * TIMELINE) throw new Error(`loaded ${heap.loaded} sessions and ${heap.exchangesCopied} exchanges`);
    const row: BenchRow = {
      bench: BENCH,
      what: `heap with ${SESSIONS} sessions in memory, decoded tokens and a ${TIMELINE}-entry timeline each`,
      figure: mbText(heap.timelines),
      budget: `< ${BUDGET_MB} MB`,
      ok: heap.timelines < BUDGET_MB * 1024 * 1024,
      reference: `before openDesk ${mbText(heap.before)}; tokens loaded, no timeline ${mbText(heap.tokens)} (the desk's own log keeps 500 exchanges)`,
      values: { heapBytes: heap.timelines, beforeBytes: heap.before, tokensBytes: heap.tokens, exchanges: heap.exchangesCopied, exchangesPerSession: TIMELINE, realExchanges: t.exchanges.length },
    };
    reportRows([row]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1] ?? '');
else await main();

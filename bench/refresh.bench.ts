/**
 * Refresh, through openDesk and DeskApi against the local oidc-provider:
 * - single flight: one session, 100 concurrent refreshSession calls; the token requests are counted at the
 *   provider (its per-route counters). Budget: exactly 1.
 * - 200 sessions refreshed at once (refreshSession for each, all concurrent), wall time, against a bare
 *   oauth4webapi client doing the same 200 refresh_token grants concurrently (bench/bare-client.ts),
 *   interleaved round by round. Budget: ratio at most 1.3.
 * The sessions need real refresh tokens: each comes from a real sign-in through the code flow (PKCE,
 * login and consent at the provider) with the headless login driver (bench/login-driver.ts), 200 for each
 * case, which is the cheapest honest way: the test harness has no way to
 * mint grants inside the provider, and a browser would take minutes. The desk runs with the in-memory
 * store standing in for a keychain (bench/secret-stores.ts), so rotation goes through the keychain path.
 * The provider holds all of them (bench/roomy-idp.ts: its in-memory store otherwise evicts some).
 * A third desk, where the machine has a memory file system (Linux's /dev/shm), keeps its data directory
 * there: the same refreshes with file creation and fsync costing next to nothing show how much of the
 * figure the disk takes (a row without a budget). A fourth case is the storage floor: the bare client
 * plus the file work any client whose sessions persist must do (bench/persisting-client.ts), with 200
 * sessions of its own on the memory file system (else the disk); the desk's ratio to it on the same file
 * system is its own code's cost, with the disk's time out of both (a row with the budget proposed for it). All cases are interleaved round by round.
 * No warm-up round: discovery and the JWKS are fetched while signing in. Run: npm run bench -- refresh
 * (SESSIONS=200 ROUNDS=11)
 */
import { performance } from 'node:perf_hooks';
import type { Desk } from '../src-main/core/desk.ts';
import { DEMO_USERS } from '../test/harness/idp.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BareClient } from './bare-client.ts';
import { addLocalProfile, inBatches, memoryFileSystem, must, openBenchDesk, signInDesk } from './desk-sessions.ts';
import { PersistingClient } from './persisting-client.ts';
import { startRoomyIdp } from './roomy-idp.ts';
import { reportRows, skippedRow, type BenchRow } from './report.ts';
import { interleaved, median, msText, ratioText } from './stats.ts';

const BENCH = 'refresh';
const BUDGET = 1.3;
const TRIGGERS = 100;
const sessions = Number(process.env['SESSIONS'] ?? 200);
const rounds = Number(process.env['ROUNDS'] ?? 11);
const user = DEMO_USERS[0]!;
/** Sign-ins running at once while preparing (a sign-in waits in the desk meanwhile; it allows 16). */
const PARALLEL = 6;

const idp = await startRoomyIdp();
const desk = await openBenchDesk();
const shm = memoryFileSystem();
const shmDesk = shm === undefined ? undefined : await openBenchDesk(undefined, shm);
const persistingDir = await mkdtemp(join(shm ?? tmpdir(), 'oidc-desk-bench-floor-'));
try {
  const rows: BenchRow[] = [];

  // Single flight.
  await addLocalProfile(desk, idp.issuer, 'single');
  const one = await signInDesk(desk, 'single', user.username, user.password);
  await idp.resetCounts();
  const results = await Promise.all(Array.from({ length: TRIGGERS }, () => desk.api.refreshSession({ sessionId: one.id })));
  const failures = results.filter((r) => !r.ok).length;
  const requests = (await idp.counts())['token:refresh_token'] ?? 0;
  rows.push({
    bench: BENCH,
    what: `single flight: ${TRIGGERS} concurrent refreshSession calls on one session, token requests at the provider`,
    figure: `${requests} request${requests === 1 ? '' : 's'}`,
    budget: 'exactly 1',
    ok: requests === 1 && failures === 0,
    reference: `${TRIGGERS - failures} of ${TRIGGERS} calls answered with the refreshed session`,
    values: { tokenRequests: requests, triggers: TRIGGERS, failedCalls: failures },
  });

  // 200 sessions at once.
  const t0 = performance.now();
  const bare = await BareClient.discover(idp.issuer);
  const ids = await inBatches(sessions, PARALLEL, async (i) => {
    await addLocalProfile(desk, idp.issuer, `p${i}`);
    return (await signInDesk(desk, `p${i}`, user.username, user.password)).id;
  });
  const tokens = await inBatches(sessions, PARALLEL, async () => {
    const refreshToken = (await bare.redeem(await bare.authorize(user.username, user.password))).refresh_token;
    if (refreshToken === undefined) throw new Error('no refresh token');
    return refreshToken;
  });
  // The storage floor: the bare client with the file work of a persisting client, on the memory file system where there is one.
  const persisting = new PersistingClient(bare, persistingDir);
  const persistingIds = await inBatches(sessions, PARALLEL, async () => persisting.signIn(await bare.authorize(user.username, user.password)));
  const shmIds = shmDesk === undefined ? [] : await inBatches(sessions, PARALLEL, async (i) => {
    await addLocalProfile(shmDesk, idp.issuer, `p${i}`);
    return (await signInDesk(shmDesk, `p${i}`, user.username, user.password)).id;
  });
  process.stdout.write(`${sessions * (shmDesk === undefined ? 3 : 4)} sign-ins in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  // Concurrent sign-ins can leave the desk's in-memory index without one of the sessions they stored
  // (sessions.json has it): a call that re-reads the index (revealToken) brings it up to date first.
  must(await desk.api.revealToken({ sessionId: one.id, type: 'access' }), 'revealToken');
  const listed = must(await desk.api.listSessions(), 'listSessions').length;
  if (listed !== sessions + 1) throw new Error(`the desk lists ${listed} sessions, not ${sessions + 1}`);

  await idp.resetCounts();
  const refreshAll = async (on: Desk, all: readonly string[]): Promise<number> => {
    const start = performance.now();
    const results = await Promise.all(all.map((sessionId) => on.api.refreshSession({ sessionId })));
    const ms = performance.now() - start;
    for (const r of results) must(r, 'refreshSession');
    return ms;
  };
  const cases: Record<string, () => Promise<number>> = {
    desk: () => refreshAll(desk, ids),
    ...(shmDesk === undefined ? {} : { shm: () => refreshAll(shmDesk, shmIds) }),
    bare: async () => {
      const start = performance.now();
      const rotated = await Promise.all(tokens.map((t) => bare.refresh(t)));
      const ms = performance.now() - start;
      tokens.splice(0, tokens.length, ...rotated.map((r, i) => r.refresh_token ?? tokens[i]!));
      return ms;
    },
    persisting: async () => {
      const start = performance.now();
      await Promise.all(persistingIds.map((id) => persisting.refresh(id)));
      return performance.now() - start;
    },
  };
  const samples = await interleaved(rounds, cases, 0);
  const counted = (await idp.counts())['token:refresh_token'] ?? 0;
  const expected = rounds * sessions * (shmDesk === undefined ? 3 : 4);
  if (counted !== expected) throw new Error(`the provider counted ${counted} refresh requests, not ${expected}`);
  const deskMs = median(samples['desk'] ?? []);
  const bareMs = median(samples['bare'] ?? []);
  const ratio = deskMs / bareMs;
  rows.push({
    bench: BENCH,
    what: `${sessions} sessions refreshed concurrently, wall time (in-memory store)`,
    figure: ratioText(ratio),
    budget: `<= ${BUDGET}x`,
    ok: ratio <= BUDGET,
    reference: `bare oauth4webapi ${msText(bareMs)}; OIDC Desk ${msText(deskMs)} (medians of ${rounds} rounds)`,
    values: { ratio, deskMedianMs: deskMs, bareMedianMs: bareMs, sessions, rounds },
  });
  const persistingMs = median(samples['persisting'] ?? []);
  // OIDC Desk against the floor on the same file system: the memory one where there is one, so the disk's
  // time (which varies several times over from run to run) is out of both.
  const ownMs = shmDesk === undefined ? deskMs : median(samples['shm'] ?? []);
  const where = shm === undefined ? 'the disk' : `a memory file system (${shm})`;
  rows.push({
    bench: BENCH,
    what: `OIDC Desk's own cost: the same ${sessions} refreshes against the bare client plus the file work of any client whose sessions persist (lock file, encrypted cache file, durable session list under its lock: bench/persisting-client.ts), both on ${where}`,
    figure: ratioText(ownMs / persistingMs),
    budget: `(proposed) <= ${BUDGET}x`,
    ok: null,
    reference: `that client ${msText(persistingMs)}, ${ratioText(persistingMs / bareMs)} of the bare client's ${msText(bareMs)}; OIDC Desk there ${msText(ownMs)} (medians of ${rounds} rounds)`,
    values: { ratio: ownMs / persistingMs, persistingMedianMs: persistingMs, floorRatio: persistingMs / bareMs, ownMedianMs: ownMs, bareMedianMs: bareMs, memoryFileSystem: shm !== undefined, sessions, rounds },
  });
  if (shmDesk === undefined) {
    rows.push(skippedRow(BENCH, `${sessions} sessions refreshed concurrently, data directory on a memory file system`, '', 'no memory file system (/dev/shm) on this machine'));
  } else {
    const shmMs = median(samples['shm'] ?? []);
    rows.push({
      bench: BENCH,
      what: `the same ${sessions} refreshes with the data directory on a memory file system (${shm}), counted apart`,
      figure: ratioText(shmMs / bareMs),
      budget: '',
      ok: null,
      reference: `OIDC Desk there ${msText(shmMs)}, on the disk ${msText(deskMs)}: the disk's share ${msText(deskMs - shmMs)} (medians of ${rounds} rounds)`,
      values: { ratio: shmMs / bareMs, shmMedianMs: shmMs, deskMedianMs: deskMs, bareMedianMs: bareMs, sessions, rounds },
    });
  }
  reportRows(rows);
} finally {
  desk.close();
  shmDesk?.close();
  await rm(persistingDir, { recursive: true, force: true });
  await idp.stop();
}

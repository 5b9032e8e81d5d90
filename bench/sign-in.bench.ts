/**
 * Sign-in overhead: from the callback URL delivered (as a deep link, `desk.deliverCallback`) to the
 * session stored and its `sign-in-completed` event, through openDesk and DeskApi against the local
 * oidc-provider, as a ratio to a bare oauth4webapi + jose client doing validateAuthResponse, the code
 * grant, its processing and the ID token signature check (bench/bare-client.ts), interleaved in the same
 * run. The desk runs with the in-memory store standing in for a keychain (bench/secret-stores.ts); the
 * keychain write (KeytarSecretStore on gnome-keyring) is timed on its own, in a third interleaved case.
 * So is the durable write of the session index (a fourth case: the same change of a session index store,
 * a new record each round, in a data directory of its own on the same file system): its lock, temporary
 * file, fsync, rename and fsync of the directory cost what the disk takes, and the row shows the sign-in's
 * figure without it next to the whole one. Where the machine has a memory file system (Linux's /dev/shm), a
 * fifth case signs in with the data directory there, where file creation and fsync cost next to nothing.
 * A sixth is the storage floor: the bare client plus the file work any client whose sessions persist must
 * do (bench/persisting-client.ts: an encrypted cache file, the session list written durably under its lock),
 * on the memory file system (else the disk); the desk's ratio to it on the same file system is its own
 * code's cost, with the disk's time out of both (a row with the budget proposed for it).
 * The login at the provider (bench/login-driver.ts) happens before each measured step and is not timed.
 * Budget: ratio at most 1.3. Run: npm run bench -- sign-in   (RUNS=21)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Desk } from '../src-main/core/desk.ts';
import { KeytarSecretStore } from '../src-main/core/store/keytar-secret-store.ts';
import { sessionIndexStore, type SessionRecord } from '../src-main/core/store/session-index.ts';
import { DEMO_USERS, startTestIdp } from '../test/harness/idp.ts';
import { BareClient } from './bare-client.ts';
import { addLocalProfile, authorizeDesk, completeDesk, memoryFileSystem, openBenchDesk } from './desk-sessions.ts';
import { PersistingClient } from './persisting-client.ts';
import { reportRows, skippedRow, type BenchRow } from './report.ts';
import { TimedSecretStore } from './secret-stores.ts';
import { interleaved, median, msText, ratioText } from './stats.ts';

const BENCH = 'sign-in';
const BUDGET = 1.3;
const runs = Number(process.env['RUNS'] ?? 21);
const keyring = process.env['OIDC_DESK_TEST_KEYRING'] === '1';
const user = DEMO_USERS[0]!;

const idp = await startTestIdp();
const desks: Desk[] = [];
const keychain = keyring ? new TimedSecretStore(new KeytarSecretStore({ service: `OIDC Desk bench ${randomUUID()}` })) : undefined;
const stored: string[] = [];
const shm = memoryFileSystem();
const cleanups: (() => Promise<void>)[] = [];
try {
  const bare = await BareClient.discover(idp.issuer);
  const desk = await openBenchDesk();
  desks.push(desk);
  const keychainDesk = keychain === undefined ? undefined : await openBenchDesk(keychain);
  if (keychainDesk !== undefined) desks.push(keychainDesk);
  const shmDesk = shm === undefined ? undefined : await openBenchDesk(undefined, shm);
  if (shmDesk !== undefined) desks.push(shmDesk);

  // The index write alone: the change a sign-in makes (one record added) to a store of its own.
  const indexDir = await mkdtemp(join(tmpdir(), 'oidc-desk-bench-index-'));
  cleanups.push(() => rm(indexDir, { recursive: true, force: true }));
  const index = sessionIndexStore(indexDir, Date.now);
  let indexed = 0;
  const indexWrite = async (): Promise<number> => {
    const at = Date.now();
    const record: SessionRecord = {
      id: `s-${(indexed++).toString(16).padStart(8, '0')}`, profile: `run-${indexed}`, issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true,
      subject: user.username, displayName: user.username, scopes: ['openid', 'profile', 'email', 'offline_access'], createdAt: at, updatedAt: at,
      accessTokenExpiresAt: at + 3_600_000, status: 'active', hasRefreshToken: true, binding: { iss: idp.issuer, sub: user.username, aud: ['oidc-desk'], azp: null, authTime: Math.floor(at / 1000) },
    };
    const t0 = performance.now();
    await index.update((doc) => ({ ...doc, sessions: [...doc.sessions, record] }));
    return performance.now() - t0;
  };

  // The storage floor: the bare client with the file work of a persisting client, on the memory file system where there is one.
  const persistingDir = await mkdtemp(join(shm ?? tmpdir(), 'oidc-desk-bench-floor-'));
  cleanups.push(() => rm(persistingDir, { recursive: true, force: true }));
  const persisting = new PersistingClient(bare, persistingDir);

  let n = 0;
  /** One measured desk sign-in: a new profile each time, so each makes a new session (no re-sign-in revocation). */
  const deskSignIn = async (on: Desk): Promise<number> => {
    const profile = `run-${n++}`;
    await addLocalProfile(on, idp.issuer, profile);
    const callback = await authorizeDesk(on, profile, user.username, user.password);
    const t0 = performance.now();
    const session = await completeDesk(on, callback);
    const ms = performance.now() - t0;
    if (session.idToken?.report?.kind !== 'jwt' || !session.idToken.report.valid) throw new Error('the ID token was not verified');
    if (on === keychainDesk) stored.push(session.id);
    return ms;
  };
  const cases: Record<string, () => Promise<number>> = {
    bare: async () => {
      const pending = await bare.authorize(user.username, user.password);
      const t0 = performance.now();
      await bare.redeem(pending);
      return performance.now() - t0;
    },
    desk: () => deskSignIn(desk),
    persisting: async () => {
      const pending = await bare.authorize(user.username, user.password);
      const t0 = performance.now();
      await persisting.signIn(pending);
      return performance.now() - t0;
    },
    index: indexWrite,
    ...(keychainDesk === undefined ? {} : { keychain: () => deskSignIn(keychainDesk) }),
    ...(shmDesk === undefined ? {} : { shm: () => deskSignIn(shmDesk) }),
  };
  const samples: Record<string, number[]> = await interleaved(runs, cases);
  const bareMs = median(samples['bare'] ?? []);
  const deskMs = median(samples['desk'] ?? []);
  const ratio = deskMs / bareMs;
  const rows: BenchRow[] = [{
    bench: BENCH,
    what: 'sign-in overhead: callback delivered to session stored and announced (in-memory store)',
    figure: ratioText(ratio),
    budget: `<= ${BUDGET}x`,
    ok: ratio <= BUDGET,
    reference: `bare oauth4webapi + jose ${msText(bareMs)}; OIDC Desk ${msText(deskMs)} (medians of ${runs})`,
    values: { ratio, deskMedianMs: deskMs, bareMedianMs: bareMs, runs },
  }];
  const persistingMs = median(samples['persisting'] ?? []);
  // OIDC Desk against the floor on the same file system: the memory one where there is one, so the disk's
  // time (which varies several times over from run to run) is out of both.
  const ownMs = shmDesk === undefined ? deskMs : median(samples['shm'] ?? []);
  const where = shm === undefined ? 'the disk' : `a memory file system (${shm})`;
  rows.push({
    bench: BENCH,
    what: `OIDC Desk's own cost: sign-in against the bare client plus the file work of any client whose sessions persist (encrypted cache file, durable session list under its lock: bench/persisting-client.ts), both on ${where}`,
    figure: ratioText(ownMs / persistingMs),
    budget: `(proposed) <= ${BUDGET}x`,
    ok: null,
    reference: `that client ${msText(persistingMs)}, ${ratioText(persistingMs / bareMs)} of the bare client's ${msText(bareMs)}; OIDC Desk there ${msText(ownMs)} (medians of ${runs})`,
    values: { ratio: ownMs / persistingMs, persistingMedianMs: persistingMs, floorRatio: persistingMs / bareMs, ownMedianMs: ownMs, bareMedianMs: bareMs, memoryFileSystem: shm !== undefined, runs },
  });
  const indexMs = median(samples['index'] ?? []);
  const withoutIndex = deskMs - indexMs;
  rows.push({
    bench: BENCH,
    what: 'sign-in: durable write of the session index (lock, temp file, fsync, rename, fsync of the directory), counted apart',
    figure: msText(indexMs),
    budget: '',
    ok: null,
    reference: `the step without it ${msText(withoutIndex)}, ${ratioText(withoutIndex / bareMs)} of the bare client; with it ${msText(deskMs)}, ${ratioText(ratio)} (medians of ${runs})`,
    values: { indexWriteMedianMs: indexMs, signInWithoutIndexWriteMs: withoutIndex, ratioWithoutIndexWrite: withoutIndex / bareMs, runs },
  });
  if (shmDesk === undefined) {
    rows.push(skippedRow(BENCH, 'sign-in with the data directory on a memory file system', '', 'no memory file system (/dev/shm) on this machine'));
  } else {
    const shmMs = median(samples['shm'] ?? []);
    rows.push({
      bench: BENCH,
      what: `sign-in with the data directory on a memory file system (${shm}), counted apart`,
      figure: ratioText(shmMs / bareMs),
      budget: '',
      ok: null,
      reference: `OIDC Desk there ${msText(shmMs)}, on the disk ${msText(deskMs)}: the disk's share ${msText(deskMs - shmMs)} (medians of ${runs})`,
      values: { ratio: shmMs / bareMs, shmMedianMs: shmMs, deskMedianMs: deskMs, bareMedianMs: bareMs, runs },
    });
  }
  if (keychain === undefined) {
    rows.push(skippedRow(BENCH, 'sign-in: keychain write (gnome-keyring), counted apart', '', 'needs a Secret Service keychain: run through npm run bench (a private D-Bus session with gnome-keyring)'));
  } else {
    const writeMs = median(keychain.setMs);
    const withKeychain = median(samples['keychain'] ?? []);
    rows.push({
      bench: BENCH,
      what: 'sign-in: keychain write (KeytarSecretStore.set on gnome-keyring), counted apart',
      figure: msText(writeMs),
      budget: '',
      ok: null,
      reference: `the whole step with it ${msText(withKeychain)}, with the in-memory store ${msText(deskMs)}`,
      values: { keychainWriteMedianMs: writeMs, signInWithKeychainMedianMs: withKeychain, writes: keychain.setMs.length },
    });
  }
  reportRows(rows);
} finally {
  for (const d of desks) d.close();
  await Promise.all(cleanups.map((c) => c()));
  await Promise.all(stored.map((id) => keychain?.delete(id).catch(() => false)));
  await idp.stop();
}

/**
 * Cross-process locks in the data directory, so the desktop app and the CLI never redeem the same
 * rotating refresh token at once (a reused refresh token revokes the whole grant at most providers).
 * A lock never blocks for long: its holder keeps it fresh while it works, and a lock left untouched
 * for its stale window (30 s) is broken, whatever it says about its holder.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, writeSync, type Stats } from 'node:fs';
import { link, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeskError, isDeskError } from '../errors.ts';
import { assertDataFileStats, createDataFile, ensurePrivateDir, lstatOrUndefined, readDataFile, removeOwnFile } from './data-dir.ts';

/** A lock its holder has not touched for this long is abandoned (its holder died, hangs, or is not OIDC Desk). */
export const LOCK_STALE_MS = 30_000;
/** How long a waiter waits by default: longer than the stale window, so it sees a stale lock broken. */
export const LOCK_TIMEOUT_MS = LOCK_STALE_MS + 15_000;

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up waiting (SESSION_BUSY) after this long; default {@link LOCK_TIMEOUT_MS}, or the stale window + 15 s. */
  readonly timeoutMs?: number;
  /** The stale window (default {@link LOCK_STALE_MS}); the holder refreshes its lock every third of it. Tests shorten it. */
  readonly staleMs?: number;
  /** The clock for the lock's informational `at` field (staleness is judged by the file's own time). */
  readonly now?: () => number;
}

/** What the function run under a lock gets. */
export interface HeldLock {
  /** Aborted when the holder learns that its lock was broken (it hung for longer than the stale window). */
  readonly signal: AbortSignal;
}

/** True when a process with this pid exists (also when it belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Nonces of the locks this process holds now: a lock naming this pid with another nonce is a dead process's whose pid we reuse. */
const heldHere = new Set<string>();

/** Fixed length of a lock's content, so the heartbeat rewrites it in place without truncating. */
const CONTENT_BYTES = 160;

function lockContent(nonce: string, at: number): string {
  return JSON.stringify({ pid: process.pid, nonce, at }).padEnd(CONTENT_BYTES, ' ');
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/** What a waiter has seen of the current lock file, to notice one that nobody touches any more. */
interface Sighting {
  key: string;
  since: number;
}

/**
 * True when the lock at `path` is abandoned: it names this process but is not held here (a pid reused),
 * its process is gone, its file was not touched for `staleMs` (its holder refreshes it well within), or
 * this waiter has seen it unchanged for `staleMs` (a time in the future, content that is no lock).
 */
async function isAbandoned(path: string, st: Stats, staleMs: number, sighting: Sighting): Promise<boolean> {
  const key = `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}`;
  if (sighting.key !== key) {
    sighting.key = key;
    sighting.since = performance.now();
  } else if (performance.now() - sighting.since > staleMs) {
    return true;
  }
  if (Date.now() - st.mtimeMs > staleMs) return true;
  let holder: { pid?: unknown; nonce?: unknown } | null = null;
  try {
    const text = (await readDataFile(path, { maxBytes: 4096 }))?.toString('utf8') ?? '';
    holder = JSON.parse(text) as { pid?: unknown; nonce?: unknown } | null;
  } catch (error) {
    if (isDeskError(error, 'DATA_DIR_INSECURE')) throw error;
  }
  if (typeof holder !== 'object' || holder === null) return false;
  const pid = typeof holder.pid === 'number' && Number.isInteger(holder.pid) && holder.pid > 0 ? holder.pid : undefined;
  if (pid === process.pid) return !(typeof holder.nonce === 'string' && heldHere.has(holder.nonce));
  return pid !== undefined && !isProcessAlive(pid);
}

/**
 * Removes the abandoned lock `judged`: moves the file aside, then makes sure it was that one. Another
 * waiter may have broken it and taken the lock in between; that fresh lock is put back.
 */
async function breakLock(path: string, judged: Stats): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // released or broken meanwhile
  }
  const moved = await lstatOrUndefined(aside);
  if (moved !== undefined && !sameFile(moved, judged)) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/**
 * Creates the lock file itself (O_EXCL: it fails with EEXIST while the lock is held, also by a link, which
 * it never follows) with its content written through the new descriptor; undefined when the lock is held.
 * One create and, at release, one unlink: fewer metadata operations than a written temporary file linked
 * into place, which matters when the file system's journal serializes them under many concurrent refreshes.
 * A waiter that finds the file before its content is written sees content that is no lock, which is never
 * taken for abandoned while the file is fresh (see isAbandoned). The lock is never synced to disk: a lock
 * only matters while its holder runs.
 */
async function createLockFile(path: string, content: string): Promise<number | undefined> {
  try {
    return await createDataFile(path, constants.O_RDWR, 0o600, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
}

function busy(): DeskError {
  return new DeskError('SESSION_BUSY', 'Another OIDC Desk process is still working on this session; try again in a moment.');
}

/**
 * The waiters of this process, per lock path: each waits for the one before it (a promise chain), so only
 * the head of the queue touches the lock file. Waiters of one process are then served in call order as
 * soon as the lock is released, instead of polling the file, and never judge a lock of their own process.
 */
const queues = new Map<string, Promise<void>>();

/**
 * Runs `fn` while holding the lock file at `path`: created exclusively, its content written through
 * the new descriptor, refreshed every third of the stale window while `fn` runs, and removed afterwards only
 * if it is still this holder's file. Callers in one process queue in call order; the time spent in
 * that queue counts toward the timeout.
 * @throws DeskError SESSION_BUSY when the lock stays held past the timeout; DATA_DIR_INSECURE for a lock
 * or directory that is a link, another user's, or writable by others.
 */
export async function withFileLock<T>(path: string, fn: (lock: HeldLock) => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? (options.staleMs ?? LOCK_STALE_MS) + 15_000;
  const deadline = performance.now() + timeoutMs;
  const key = resolve(path);
  const before = queues.get(key);
  let done = (): void => undefined;
  const mine = new Promise<void>((r) => (done = r));
  // The next waiter goes on when this one is done and the one before it too (this one may give up first).
  const tail = before === undefined ? mine : Promise.all([before, mine]).then(() => undefined);
  queues.set(key, tail);
  try {
    if (before !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = await Promise.race([
        before.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(deadline - performance.now(), 0)))),
      ]);
      clearTimeout(timer);
      if (gaveUp) throw busy();
    }
    return await holdFileLock(path, fn, options, deadline);
  } finally {
    done();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/** The head of this process's queue for `path`: takes the lock file (waiting for other processes), runs `fn`, releases it. */
async function holdFileLock<T>(path: string, fn: (lock: HeldLock) => Promise<T>, options: FileLockOptions, deadline: number): Promise<T> {
  const now = options.now ?? Date.now;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  await ensurePrivateDir(dirname(path));
  const nonce = randomBytes(12).toString('hex');
  // Known here before the file exists, so no waiter of this process takes it for a reused pid's.
  heldHere.add(nonce);
  let fd: number | undefined;
  let mine: Stats;
  try {
    const sighting: Sighting = { key: '', since: 0 };
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      fd = await createLockFile(path, lockContent(nonce, now()));
      if (fd !== undefined) break;
      const st = await lstatOrUndefined(path);
      if (st !== undefined) {
        assertDataFileStats(path, st);
        if (await isAbandoned(path, st, staleMs, sighting)) await breakLock(path, st);
      }
      if (performance.now() > deadline) throw busy();
      await sleep(wait);
    }
    mine = fstatSync(fd);
  } catch (error) {
    heldHere.delete(nonce);
    if (fd !== undefined) {
      closeSync(fd);
      await removeOwnFile(path);
    }
    throw error;
  }
  const lockFd = fd;

  const lost = new AbortController();
  // Set before the descriptor is closed: a beat still under way must not write to a number the system may reuse.
  let closed = false;
  // The heartbeat writes through this holder's own descriptor: if the lock was broken meanwhile, it
  // touches only the orphaned file, never the lock another process holds now.
  const beat = async (): Promise<void> => {
    const current = await lstatOrUndefined(path).catch(() => undefined);
    if (closed) return;
    if (current === undefined || !sameFile(current, mine)) {
      lost.abort();
      clearInterval(timer);
      return;
    }
    try {
      writeSync(lockFd, lockContent(nonce, now()), 0, 'utf8');
    } catch {
      // the next beat tries again; a lock left untouched for the stale window is lost, and `lost` says so
    }
  };
  const timer = setInterval(() => void beat(), Math.max(Math.floor(staleMs / 3), 1));
  timer.unref();
  try {
    return await fn({ signal: lost.signal });
  } finally {
    clearInterval(timer);
    const current = await lstatOrUndefined(path).catch(() => undefined);
    if (current !== undefined && sameFile(current, mine)) await removeOwnFile(path);
    else lost.abort();
    // Only once the file is gone: a lock naming this process with a nonce not held here is taken for abandoned.
    heldHere.delete(nonce);
    closed = true;
    closeSync(lockFd);
  }
}

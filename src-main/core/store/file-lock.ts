/**
 * Cross-process locks in the data directory, so the desktop app and the CLI never redeem the same
 * rotating refresh token at once (a reused refresh token revokes the whole grant at most providers).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeskError } from '../errors.ts';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up waiting after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** A lock older than this is considered abandoned even if its pid exists (default 10 min). */
  readonly staleMs?: number;
  readonly now?: () => number;
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

/**
 * Removes the lock when its holder is gone: its process no longer exists, or the lock is older than
 * `staleMs` (far longer than any refresh; it covers a pid reused by another program after a crash).
 * The lock's content is written before the lock appears (link), so it is never read half-written.
 */
async function tryBreak(path: string, now: number, staleMs: number): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return; // released meanwhile
  }
  let holder: { pid?: unknown; at?: unknown };
  try {
    holder = JSON.parse(text) as { pid?: unknown; at?: unknown };
  } catch {
    holder = {};
  }
  const pid = typeof holder.pid === 'number' ? holder.pid : undefined;
  const at = typeof holder.at === 'number' ? holder.at : undefined;
  const dead = pid !== undefined && pid !== process.pid && !isProcessAlive(pid);
  const expired = at !== undefined ? now - at > staleMs : now - (await stat(path).then((s) => s.mtimeMs, () => now)) > staleMs;
  if (!dead && !expired) return;
  // Move the lock aside, then make sure it was the abandoned one: another waiter may have broken it
  // and taken the lock in between, and that fresh lock must be put back.
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await readFile(aside, 'utf8').catch(() => text);
  if (moved !== text) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Runs `fn` while holding the lock file at `path` (created atomically with its content; removed afterwards). */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 10 * 60_000;
  const deadline = now() + timeoutMs;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify({ pid: process.pid, at: now() }), { mode: 0o600 });
  try {
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      try {
        // link() fails with EEXIST when the lock is held: taking it and writing its content is one step.
        await link(temp, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        await tryBreak(path, now(), staleMs);
        if (now() > deadline) throw new DeskError('SESSION_BUSY', 'Another OIDC Desk process is still working on this session; try again in a moment.');
        await sleep(wait);
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

/**
 * Cross-process locks in the data directory, so the desktop app and the CLI never redeem the same
 * rotating refresh token at once (a reused refresh token revokes the whole grant at most providers).
 * @module
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeskError } from '../errors.ts';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up waiting after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** A lock older than this is considered abandoned (default 2 min). */
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

async function tryBreak(path: string, now: number, staleMs: number): Promise<void> {
  let holder: { pid?: unknown; at?: unknown };
  try {
    holder = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; at?: unknown };
  } catch {
    holder = {};
  }
  const pid = typeof holder.pid === 'number' ? holder.pid : undefined;
  const at = typeof holder.at === 'number' ? holder.at : 0;
  if ((pid !== undefined && pid !== process.pid && !isProcessAlive(pid)) || now - at > staleMs) {
    await unlink(path).catch(() => undefined);
  }
}

/** Runs `fn` while holding the lock file at `path` (created exclusively; removed afterwards). */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 120_000;
  const deadline = now() + timeoutMs;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, at: now() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await tryBreak(path, now(), staleMs);
      if (now() > deadline) throw new DeskError('SESSION_BUSY', 'Another OIDC Desk process is still working on this session; try again in a moment.');
      await sleep(wait);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

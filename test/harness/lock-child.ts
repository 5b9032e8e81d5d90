/**
 * A process that takes lock files, for the lock tests.
 * - `lock-child.ts <dir> <rounds>`: takes `<dir>/x.lock` many times and prints how many holders overlapped
 *   (via a marker file).
 * - `lock-child.ts hold <lockPath> <staleMs> <holdMs> <markerPath>`: takes the lock with that stale window,
 *   prints `held`, works for `holdMs` while keeping the lock fresh, writes `<markerPath>` while still holding
 *   it, releases it, and prints `released lost=<true|false>` (whether it learnt that its lock was broken).
 */
import { open, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withFileLock } from '../../src-main/core/store/file-lock.ts';

const args = process.argv.slice(2);
if (args[0] === 'hold') {
  const [, path, staleMs, holdMs, marker] = args as [string, string, string, string, string];
  let lost: boolean | undefined;
  await withFileLock(path, async (held) => {
    process.stdout.write('held\n');
    await sleep(Number(holdMs));
    await writeFile(marker, String(process.pid));
    lost = held?.signal.aborted;
  }, { staleMs: Number(staleMs), timeoutMs: 60_000 });
  process.stdout.write(`released lost=${String(lost)}\n`);
} else {
  const [dir, rounds] = args as [string, string];
  let overlaps = 0;
  for (let i = 0; i < Number(rounds); i++) {
    await withFileLock(join(dir, 'x.lock'), async () => {
      try {
        await (await open(join(dir, 'marker'), 'wx')).close();
      } catch {
        overlaps += 1;
        return;
      }
      await new Promise((r) => setImmediate(r));
      await unlink(join(dir, 'marker'));
    });
  }
  process.stdout.write(`${overlaps}\n`);
}

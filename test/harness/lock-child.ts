/** A process that takes a lock file many times and counts holders that overlapped (via a marker file). */
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileLock } from '../../src-main/core/store/file-lock.ts';

const [dir, rounds] = process.argv.slice(2) as [string, string];
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

/** The one module every data-directory reader and writer goes through: binary files (the token cache), append, secrets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkDataDir, openDataFileForAppend, readDataFile, removeDataFile, writeDataFileAtomic,
} from '../../../../src-main/core/store/data-dir.ts';
import { insecure } from './insecure.ts';
const POSIX = process.platform !== 'win32';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oidc-desk-dd-'));
}

test('a file opened for append (provider.log) is refused when it is a symbolic link', { skip: !POSIX }, async () => {
  const dir = await tempDir();
  const elsewhere = join(await tempDir(), 'target.log');
  await writeFile(elsewhere, 'before\n');
  await symlink(elsewhere, join(dir, 'provider.log'));
  await assert.rejects(openDataFileForAppend(join(dir, 'provider.log')), { code: 'DATA_DIR_INSECURE' });
  assert.equal(await readFile(elsewhere, 'utf8'), 'before\n');
  const handle = await openDataFileForAppend(join(dir, 'other.log'));
  await handle.write('line\n');
  await handle.close();
  assert.equal((await stat(join(dir, 'other.log'))).mode & 0o777, 0o600);
});

test('binary data files (the token cache): atomic write 0600, read back byte for byte, size cap, remove', async () => {
  const dataDir = await tempDir();
  const path = join(dataDir, 'tokens', 's-1.bin');
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
  assert.equal(await readDataFile(path, { maxBytes: 1024 }), undefined, 'missing is undefined');
  await writeDataFileAtomic(path, bytes);
  if (POSIX) {
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dataDir, 'tokens'))).mode & 0o777, 0o700);
  }
  assert.deepEqual(new Uint8Array((await readDataFile(path, { maxBytes: 1024 }))!), bytes);
  await assert.rejects(readDataFile(path, { maxBytes: 100 }), { code: 'DATA_FILE_TOO_LARGE' });
  assert.deepEqual(await readdir(join(dataDir, 'tokens')), ['s-1.bin'], 'no temp file left');
  assert.equal(await removeDataFile(path), true);
  assert.equal(await removeDataFile(path), false);
  await checkDataDir(dataDir);
});

test('a secret data file readable by other users is refused (as ssh does for keys)', { skip: !POSIX }, async () => {
  const dataDir = await tempDir();
  const path = join(dataDir, 'tokens', 's-1.bin');
  await writeDataFileAtomic(path, new Uint8Array([1, 2, 3]));
  await chmod(path, 0o644);
  assert.deepEqual([...(await readDataFile(path, { maxBytes: 10 }))!], [1, 2, 3], 'readable by others is fine for an ordinary file');
  await assert.rejects(readDataFile(path, { maxBytes: 10, secret: true }), insecure(path, /chmod 600/));
});

test('files written while a durable write of this process syncs (created through the thread pool) are whole, 0600, and leave no temporary file', async () => {
  const dir = await tempDir();
  const big = Buffer.alloc(300 * 1024, 7);
  const writes = [writeDataFileAtomic(join(dir, 'index.json'), '{"durable":true}\n')];
  for (let i = 0; i < 20; i++) writes.push(writeDataFileAtomic(join(dir, `f${i}.bin`), i % 2 === 0 ? big : `small ${i}`, { durable: false }));
  await Promise.all(writes);
  assert.equal(await readFile(join(dir, 'index.json'), 'utf8'), '{"durable":true}\n');
  for (let i = 0; i < 20; i++) {
    const path = join(dir, `f${i}.bin`);
    assert.deepEqual(await readFile(path), i % 2 === 0 ? big : Buffer.from(`small ${i}`));
    if (POSIX) assert.equal((await stat(path)).mode & 0o777, 0o600);
  }
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
});

/**
 * The data directory is checked at start and again on every write (SECURITY.md, "data dir"): a directory
 * made writable by others, or swapped for a symbolic link, after the desk opened it is refused before
 * anything is written, as is a data file swapped for a link. What each write still checks: the directory
 * it writes in (lstat: a real directory of this user that others cannot write) and the file it replaces
 * (lstat: a regular file of this user, not a link); the lock files the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCache, newCacheKey, type HeldTokens } from '../../../../src-main/core/session/token-cache.ts';
import { checkDataDir } from '../../../../src-main/core/store/data-dir.ts';
import { sessionIndexStore } from '../../../../src-main/core/store/session-index.ts';

const POSIX = process.platform !== 'win32';

async function checkedDataDir(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'oidc-desk-after-start-')), 'data');
  await checkDataDir(dir);
  await sessionIndexStore(dir, Date.now).update((doc) => doc);
  return dir;
}

const held: HeldTokens = {
  accessToken: 'at', tokenType: 'bearer', expiresAt: undefined, scope: undefined, idToken: undefined, idTokenClaims: undefined, idTokenReport: undefined,
  receivedAt: 1, clockOffsetMs: undefined, boundTo: { issuer: 'https://idp.example', clientId: 'c' } };

test('a data directory made writable by others after the start check: the next index write and token cache write are refused', { skip: !POSIX }, async () => {
  const dir = await checkedDataDir();
  await new TokenCache(dir).write('s-00000001', newCacheKey(), held);
  await chmod(dir, 0o770);
  await assert.rejects(sessionIndexStore(dir, Date.now).update((doc) => ({ ...doc, revocations: [] })), { code: 'DATA_DIR_INSECURE' });
  await chmod(dir, 0o700);
  await chmod(join(dir, 'tokens'), 0o777);
  await assert.rejects(new TokenCache(dir).write('s-00000002', newCacheKey(), held), { code: 'DATA_DIR_INSECURE' });
  assert.deepEqual(await readdir(join(dir, 'tokens')), ['s-00000001.json'], 'nothing written in the refused directory');
});

test('a data directory swapped for a symbolic link after the start check: refused, nothing written through the link', { skip: !POSIX }, async () => {
  const dir = await checkedDataDir();
  const elsewhere = `${dir}-elsewhere`;
  await rename(dir, elsewhere);
  await symlink(elsewhere, dir);
  const before = (await readdir(elsewhere)).sort();
  await assert.rejects(sessionIndexStore(dir, Date.now).update((doc) => doc), { code: 'DATA_DIR_INSECURE' });
  await assert.rejects(new TokenCache(dir).write('s-00000001', newCacheKey(), held), { code: 'DATA_DIR_INSECURE' });
  assert.deepEqual((await readdir(elsewhere)).sort(), before);
});

test('a token cache file swapped for a symbolic link after start: the next write refuses to replace it', { skip: !POSIX }, async () => {
  const dir = await checkedDataDir();
  await mkdir(join(dir, 'tokens'), { mode: 0o700 });
  const target = join(dir, 'target');
  await writeFile(target, 'x', { mode: 0o600 });
  await symlink(target, join(dir, 'tokens', 's-00000001.json'));
  await assert.rejects(new TokenCache(dir).write('s-00000001', newCacheKey(), held), { code: 'DATA_DIR_INSECURE' });
});

/**
 * The data directory is checked, not trusted (SECURITY.md, "data dir"): created 0700; a directory or file
 * that other users may write, or that another user owns, is refused with a message that says how to fix it;
 * nothing is read or written through a symbolic link; data files have a size cap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { SessionService } from '../../../../src-main/core/session/session-service.ts';
import { withFileLock } from '../../../../src-main/core/store/file-lock.ts';
import { MemorySecretStore } from '../../../../src-main/core/store/memory-secret-store.ts';
import { ProfileStore } from '../../../../src-main/core/store/profiles.ts';
import { sessionIndexStore } from '../../../../src-main/core/store/session-index.ts';
import { insecure } from './insecure.ts';

const now = Date.now;
const POSIX = process.platform !== 'win32';
const NOBODY = 65_534;
const CAN_CHOWN = POSIX && process.getuid?.() === 0;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oidc-desk-dd-'));
}

function open(dataDir: string): Promise<SessionService> {
  return SessionService.open({ dataDir, secrets: new MemorySecretStore(), fetch: createHttpClient(), now });
}

test('a new data directory and its subdirectories are created with mode 0700, its files 0600', { skip: !POSIX }, async () => {
  const dataDir = join(await tempDir(), 'OIDC Desk');
  const service = await open(dataDir);
  assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
  await service.profiles.add({ name: 'okta', issuer: 'https://dev-1.okta.com', clientId: '0oa1' });
  assert.equal((await stat(join(dataDir, 'profiles.json'))).mode & 0o777, 0o600);
  await withFileLock(join(dataDir, 'locks', 's-1.lock'), async () => {
    assert.equal((await stat(join(dataDir, 'locks'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(dataDir, 'locks', 's-1.lock'))).mode & 0o777, 0o600);
  });
  service.close();
});

test('a data directory other users may write is refused with "chmod 700", and nothing is written', { skip: !POSIX }, async () => {
  const dataDir = await tempDir();
  await chmod(dataDir, 0o777);
  await assert.rejects(open(dataDir), insecure(dataDir, /chmod 700/));
  await chmod(dataDir, 0o770);
  await assert.rejects(open(dataDir), insecure(dataDir, /chmod 700/));
  await assert.rejects(new ProfileStore(dataDir, now).add({ name: 'x', issuer: 'https://idp.example.com', clientId: 'c' }), { code: 'DATA_DIR_INSECURE' });
  assert.deepEqual(await readdir(dataDir), [], 'nothing was written');
  await chmod(dataDir, 0o755);
  (await open(dataDir)).close();
});

test('a data directory owned by another user is refused with "chown"', { skip: CAN_CHOWN ? false : 'needs root to give a directory to another user' }, async () => {
  const dataDir = await tempDir();
  await chown(dataDir, NOBODY, NOBODY);
  await assert.rejects(open(dataDir), insecure(dataDir, /chown/));
});

test('a subdirectory or file that other users may write, or another user owns, is refused', { skip: !POSIX }, async () => {
  const dataDir = await tempDir();
  const index = join(dataDir, 'sessions.json');
  await writeFile(index, JSON.stringify({ schemaVersion: 1, sessions: [], revocations: [] }), { mode: 0o600 });
  await chmod(index, 0o666);
  await assert.rejects(open(dataDir), insecure(index, /chmod 600/));
  await assert.rejects(sessionIndexStore(dataDir, now).read(), { code: 'DATA_DIR_INSECURE' });
  await chmod(index, 0o600);

  const locks = join(dataDir, 'locks');
  await mkdir(locks, { mode: 0o700 });
  await chmod(locks, 0o777);
  await assert.rejects(open(dataDir), insecure(locks, /chmod 700/));
  await assert.rejects(withFileLock(join(locks, 's-1.lock'), async () => 'ran'), { code: 'DATA_DIR_INSECURE' });
  await chmod(locks, 0o700);
  (await open(dataDir)).close();

  if (CAN_CHOWN) {
    await chown(index, NOBODY, NOBODY);
    await assert.rejects(open(dataDir), insecure(index, /chown/));
    await assert.rejects(sessionIndexStore(dataDir, now).read(), { code: 'DATA_DIR_INSECURE' });
  }
});

test('files of the desktop shell next to OIDC Desk\'s own (Chromium\'s SingletonLock is a symlink) are not OIDC Desk\'s to judge', { skip: !POSIX }, async () => {
  const dataDir = await tempDir();
  await symlink('host-12345', join(dataDir, 'SingletonLock'));
  await writeFile(join(dataDir, 'Preferences'), '{}', { mode: 0o644 });
  (await open(dataDir)).close();
});

test('sessions.json as a symbolic link: refused, nothing read or written through it', { skip: !POSIX }, async () => {
  const dataDir = await tempDir();
  const elsewhere = join(await tempDir(), 'target.json');
  const original = JSON.stringify({ schemaVersion: 1, sessions: [], revocations: [] });
  await writeFile(elsewhere, original);
  await symlink(elsewhere, join(dataDir, 'sessions.json'));
  await assert.rejects(open(dataDir), insecure(join(dataDir, 'sessions.json'), /symbolic link/));
  const store = sessionIndexStore(dataDir, now);
  await assert.rejects(store.read(), { code: 'DATA_DIR_INSECURE' });
  await assert.rejects(store.update((doc) => doc), { code: 'DATA_DIR_INSECURE' });
  assert.equal(await readFile(elsewhere, 'utf8'), original, 'the link target is untouched');
  assert.ok((await lstat(join(dataDir, 'sessions.json'))).isSymbolicLink(), 'the link is left for the user to look at');
});

test('profiles.json as a symbolic link to a valid profiles file: refused, not read', { skip: !POSIX }, async () => {
  const dataDir = await tempDir();
  const elsewhere = join(await tempDir(), 'profiles.json');
  const planted = JSON.stringify({ schemaVersion: 1, profiles: [{ name: 'evil', issuer: 'https://evil.example', clientId: 'c', scopes: ['openid'], redirect: { kind: 'loopback' }, allowHttpLoopback: false, extraParams: {} }] });
  await writeFile(elsewhere, planted);
  await symlink(elsewhere, join(dataDir, 'profiles.json'));
  const profiles = new ProfileStore(dataDir, now);
  await assert.rejects(profiles.list(), { code: 'DATA_DIR_INSECURE' });
  await assert.rejects(profiles.add({ name: 'okta', issuer: 'https://dev-1.okta.com', clientId: '0oa1' }), { code: 'DATA_DIR_INSECURE' });
  assert.equal(await readFile(elsewhere, 'utf8'), planted);
});

test('the locks directory or a lock file as a symbolic link: refused', { skip: !POSIX }, async () => {
  const dataDir = await tempDir();
  const elsewhere = await tempDir();
  await symlink(elsewhere, join(dataDir, 'locks'));
  await assert.rejects(withFileLock(join(dataDir, 'locks', 's-1.lock'), async () => 'ran'), insecure(join(dataDir, 'locks'), /symbolic link/));
  assert.deepEqual(await readdir(elsewhere), [], 'no lock was made through the link');

  const other = await tempDir();
  await writeFile(join(elsewhere, 'target'), 'x');
  await symlink(join(elsewhere, 'target'), join(other, 'x.lock'));
  await assert.rejects(withFileLock(join(other, 'x.lock'), async () => 'ran', { timeoutMs: 500 }), { code: 'DATA_DIR_INSECURE' });
  assert.equal(await readFile(join(elsewhere, 'target'), 'utf8'), 'x');
});

test('a huge index is not parsed: kept aside as corrupt and reported', async () => {
  const dataDir = await tempDir();
  const huge = `{"schemaVersion":1,"sessions":[],"revocations":[],"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`;
  await writeFile(join(dataDir, 'sessions.json'), huge, { mode: 0o600 });
  await assert.rejects(sessionIndexStore(dataDir, now).read(), { code: 'INDEX_CORRUPT' });
  assert.ok((await readdir(dataDir)).some((f) => f.startsWith('sessions.json.corrupt-')), 'kept aside');
  assert.deepEqual((await sessionIndexStore(dataDir, now).read()).sessions, []);
});

test('a data directory that is a symbolic link is refused (give the real path)', { skip: !POSIX }, async () => {
  const real = await tempDir();
  const link = join(await tempDir(), 'link');
  await symlink(real, link);
  await assert.rejects(open(link), insecure(link, /symbolic link/));
  assert.deepEqual(await readdir(real), []);
});

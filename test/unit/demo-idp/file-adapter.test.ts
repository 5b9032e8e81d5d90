/** The demo provider's file-backed oidc-provider adapter: what one instance writes, a new instance reads back; expiry, consume, grant revocation, a damaged file kept aside. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAdapterStore } from '../../../src-main/demo-idp/file-adapter.ts';

async function tempStore(now: () => number = Date.now): Promise<{ path: string; store: FileAdapterStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-adapter-'));
  const path = join(dir, 'store.json');
  return { path, store: new FileAdapterStore(path, now) };
}

test('entries survive a restart (a new store over the same file), and the file is 0600', async () => {
  const { path, store } = await tempStore();
  const grants = store.factory()('Grant');
  const tokens = store.factory()('RefreshToken');
  await grants.upsert('g1', { jti: 'g1', accountId: 'user-alice' }, 3600);
  await tokens.upsert('rt1', { jti: 'rt1', grantId: 'g1', kind: 'RefreshToken' }, 3600);
  assert.equal((await stat(path)).mode & 0o777, 0o600);

  const reopened = new FileAdapterStore(path).factory();
  assert.deepEqual(await reopened('RefreshToken').find('rt1'), { jti: 'rt1', grantId: 'g1', kind: 'RefreshToken' });
  assert.deepEqual(await reopened('Grant').find('g1'), { jti: 'g1', accountId: 'user-alice' });
  assert.equal(await reopened('AccessToken').find('rt1'), undefined, 'models are apart');
});

test('find returns a copy; consume marks the entry and persists', async () => {
  const { path, store } = await tempStore();
  const codes = store.factory()('AuthorizationCode');
  await codes.upsert('c1', { jti: 'c1' }, 60);
  const found = await codes.find('c1');
  assert.ok(found);
  found['jti'] = 'changed';
  assert.equal((await codes.find('c1'))?.['jti'], 'c1');
  await codes.consume('c1');
  assert.equal(typeof (await new FileAdapterStore(path).factory()('AuthorizationCode').find('c1'))?.['consumed'], 'number');
});

test('expired entries are not found and are dropped from the file', async () => {
  let now = 1_000_000;
  const { path, store } = await tempStore(() => now);
  const sessions = store.factory()('Session');
  await sessions.upsert('s1', { jti: 's1', uid: 'u1' }, 10);
  assert.deepEqual(await sessions.findByUid('u1'), { jti: 's1', uid: 'u1' });
  now += 11_000;
  assert.equal(await sessions.find('s1'), undefined);
  assert.equal(await sessions.findByUid('u1'), undefined);
  await sessions.upsert('s2', { jti: 's2' }); // no expiry; the write prunes s1
  const reopened = new FileAdapterStore(path, () => now).factory()('Session');
  assert.equal(await reopened.find('s1'), undefined);
  assert.deepEqual(await reopened.find('s2'), { jti: 's2' });
});

test('revokeByGrantId removes every token of the grant, across models, and nothing else', async () => {
  const { store } = await tempStore();
  const adapter = store.factory();
  // oidc-provider's token payloads carry their id as jti.
  await adapter('AccessToken').upsert('at1', { jti: 'at1', grantId: 'g1' }, 60);
  await adapter('RefreshToken').upsert('rt1', { jti: 'rt1', grantId: 'g1' }, 60);
  await adapter('RefreshToken').upsert('rt2', { jti: 'rt2', grantId: 'g2' }, 60);
  await adapter('Grant').upsert('g1', { jti: 'g1' }, 60);
  await adapter('RefreshToken').revokeByGrantId('g1');
  assert.equal(await adapter('AccessToken').find('at1'), undefined);
  assert.equal(await adapter('RefreshToken').find('rt1'), undefined);
  assert.deepEqual(await adapter('RefreshToken').find('rt2'), { jti: 'rt2', grantId: 'g2' });
  assert.deepEqual(await adapter('Grant').find('g1'), { jti: 'g1' }, 'the grant itself is oidc-provider\'s to destroy');
  await adapter('RefreshToken').destroy('rt2');
  assert.equal(await adapter('RefreshToken').find('rt2'), undefined);
});

test('concurrent changes all reach the file', async () => {
  const { path, store } = await tempStore();
  const adapter = store.factory()('AccessToken');
  await Promise.all(Array.from({ length: 25 }, (_, i) => adapter.upsert(`t${i}`, { jti: `t${i}`, n: i }, 60)));
  const reopened = new FileAdapterStore(path).factory()('AccessToken');
  for (let i = 0; i < 25; i++) assert.deepEqual(await reopened.find(`t${i}`), { jti: `t${i}`, n: i });
});

test('a damaged store is kept aside and the adapter starts empty', async () => {
  const { path, store } = await tempStore();
  await writeFile(path, '{"schemaVersion":1,"entries":', { mode: 0o600 });
  const original = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    assert.equal(await store.factory()('Session').find('x'), undefined);
  } finally {
    process.stderr.write = original;
  }
  const names = await readdir(join(path, '..'));
  assert.ok(names.some((n) => n.startsWith('store.json.corrupt-')), names.join(', '));
});

test('bearer tokens are stored by hash only: the file never holds a token value', async () => {
  const { readFile } = await import('node:fs/promises');
  const { path, store } = await tempStore();
  const refresh = store.factory()('RefreshToken');
  await refresh.upsert('RT-VALUE-0123456789', { jti: 'RT-VALUE-0123456789', grantId: 'g1', kind: 'RefreshToken' }, 3600);
  const text = await readFile(path, 'utf8');
  assert.ok(!text.includes('RT-VALUE-0123456789'), 'no token value on disk');
  assert.deepEqual(await refresh.find('RT-VALUE-0123456789'), { jti: 'RT-VALUE-0123456789', grantId: 'g1', kind: 'RefreshToken' });
  assert.equal(await refresh.find('another-value'), undefined);
  await refresh.revokeByGrantId('g1');
  assert.equal(await refresh.find('RT-VALUE-0123456789'), undefined);
});

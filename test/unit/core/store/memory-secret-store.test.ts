/** Unit: MemorySecretStore, the session-only store, with the same semantics as the OS keychain store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeskError } from '../../../../src-main/core/errors.ts';
import { MemorySecretStore } from '../../../../src-main/core/store/memory-secret-store.ts';
import type { StoredSecret } from '../../../../src-main/core/store/secret-store.ts';

function secret(refreshToken: string): StoredSecret {
  return { v: 1, refreshToken, issuer: 'https://op.example', clientId: 'desk', createdAt: 1_700_000_000_000 };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isDeskError(err), String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

test('store, read, delete; not persistent', async () => {
  const store = new MemorySecretStore();
  assert.equal(store.persistent, false);
  assert.deepEqual(await store.status(), { state: 'available' });
  assert.deepEqual(await store.get('s1'), { kind: 'absent' });
  await store.set('s1', secret('rt-1'));
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-1') });
  assert.equal(await store.delete('s1'), true);
  assert.equal(await store.delete('s1'), false);
  assert.deepEqual(await store.get('s1'), { kind: 'absent' });
});

test('rotation: the new entry replaces the old one', async () => {
  const store = new MemorySecretStore();
  await store.set('s1', secret('rt-old'));
  await store.set('s1', secret('rt-new'));
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-new') });
  assert.equal(store.size, 1);
});

test('a read returns a copy: mutating it does not change the store', async () => {
  const store = new MemorySecretStore();
  const original = { ...secret('rt-1') };
  await store.set('s1', original);
  (original as { refreshToken: string }).refreshToken = 'changed';
  const read = await store.get('s1');
  assert.ok(read.kind === 'found');
  assert.equal(read.secret.refreshToken, 'rt-1');
});

test('too large: KEYCHAIN_ENTRY_TOO_LARGE and the previous entry stays', async () => {
  const store = new MemorySecretStore();
  await store.set('s1', secret('rt-kept'));
  await rejectsWith(store.set('s1', secret('x'.repeat(3000))), 'KEYCHAIN_ENTRY_TOO_LARGE');
  await rejectsWith(store.set('s2', secret('x'.repeat(3000))), 'KEYCHAIN_ENTRY_TOO_LARGE');
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-kept') });
  assert.equal(store.size, 1);
});

test('corrupt entry: KEYCHAIN_ENTRY_CORRUPT, removed, never returned', async () => {
  const store = new MemorySecretStore();
  store.putRaw('s1', '{"v":1,"refreshToken":"rt-half"');
  await assert.rejects(store.get('s1'), (err: unknown) => {
    assert.ok(isDeskError(err, 'KEYCHAIN_ENTRY_CORRUPT'), String(err));
    assert.ok(!err.message.includes('rt-half'));
    return true;
  });
  assert.equal(store.size, 0);
  assert.deepEqual(await store.get('s1'), { kind: 'absent' });
});

test('an entry from a newer version is unknown and left in place', async () => {
  const store = new MemorySecretStore();
  store.putRaw('s1', JSON.stringify({ v: 2, refreshToken: 'rt-v2' }));
  const read = await store.get('s1');
  assert.equal(read.kind, 'unknown');
  assert.ok(read.kind === 'unknown' && read.reason.code === 'KEYCHAIN_FAILED');
  assert.equal(store.size, 1);
});

test('locked: reads are unknown (never absent), writes and deletes fail KEYCHAIN_LOCKED, entries survive', async () => {
  const store = new MemorySecretStore();
  await store.set('s1', secret('rt-1'));
  store.setStatus({ state: 'locked', message: 'Cannot create an item in a locked collection' });
  assert.deepEqual(await store.status(), { state: 'locked', message: 'Cannot create an item in a locked collection' });
  for (const id of ['s1', 'never-stored']) {
    const read = await store.get(id);
    assert.ok(read.kind === 'unknown', id);
    assert.equal(read.reason.code, 'KEYCHAIN_LOCKED');
  }
  await rejectsWith(store.set('s2', secret('rt-2')), 'KEYCHAIN_LOCKED');
  await rejectsWith(store.delete('s1'), 'KEYCHAIN_LOCKED');
  store.setStatus({ state: 'available' });
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-1') });
  assert.deepEqual(await store.get('s2'), { kind: 'absent' });
});

test('unavailable: every call fails KEYCHAIN_UNAVAILABLE with the OS text', async () => {
  const store = new MemorySecretStore({ status: { state: 'unavailable', message: 'Cannot autolaunch D-Bus without X11 $DISPLAY' } });
  await rejectsWith(store.get('s1'), 'KEYCHAIN_UNAVAILABLE');
  await rejectsWith(store.set('s1', secret('rt-1')), 'KEYCHAIN_UNAVAILABLE');
  await rejectsWith(store.delete('s1'), 'KEYCHAIN_UNAVAILABLE');
  await store.get('s1').catch((err: unknown) => {
    assert.ok(isDeskError(err) && err.message.includes('Cannot autolaunch D-Bus'));
  });
});

test('the size cap is checked before the state: a too-large entry is reported as such even when locked', async () => {
  const store = new MemorySecretStore({ status: { state: 'locked' } });
  await rejectsWith(store.set('s1', secret('x'.repeat(3000))), 'KEYCHAIN_ENTRY_TOO_LARGE');
});

test('invalid session ids are refused with USAGE', async () => {
  const store = new MemorySecretStore();
  await rejectsWith(store.get(''), 'USAGE');
  await rejectsWith(store.set('../x', secret('rt')), 'USAGE');
  await rejectsWith(store.delete('.oidc-desk-probe'), 'USAGE');
});

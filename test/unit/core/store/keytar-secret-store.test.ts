/** Unit: KeytarSecretStore logic over a fake keytar (loading, OS text mapping, timeouts, doubt on misses). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeskError } from '../../../../src-main/core/errors.ts';
import {
  DEFAULT_SERVICE,
  KeytarSecretStore,
  PROBE_ACCOUNT,
  classifyKeychainError,
} from '../../../../src-main/core/store/keytar-secret-store.ts';
import type { KeytarLike } from '../../../../src-main/core/store/keytar-secret-store.ts';
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

/** A keytar stand-in: a map, a "locked" switch that behaves like libsecret's, and a call log. */
class FakeKeytar implements KeytarLike {
  readonly entries = new Map<string, string>();
  readonly calls: string[] = [];
  locked = false;
  /** When set, every call fails with this text. */
  failWith: string | undefined;
  /** When set, every call waits for this promise first. */
  hold: Promise<void> | undefined;
  active = 0;
  maxActive = 0;

  async #enter(name: string): Promise<void> {
    this.calls.push(name);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.hold) await this.hold;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.failWith !== undefined) throw new Error(this.failWith);
    } finally {
      this.active -= 1;
    }
  }

  async getPassword(service: string, account: string): Promise<unknown> {
    await this.#enter(`get ${service}/${account}`);
    return this.locked ? null : (this.entries.get(`${service}/${account}`) ?? null);
  }

  async setPassword(service: string, account: string, password: string): Promise<unknown> {
    await this.#enter(`set ${service}/${account}`);
    if (this.locked) throw new Error('Cannot create an item in a locked collection');
    this.entries.set(`${service}/${account}`, password);
    return undefined;
  }

  async deletePassword(service: string, account: string): Promise<unknown> {
    await this.#enter(`delete ${service}/${account}`);
    return this.locked ? false : this.entries.delete(`${service}/${account}`);
  }
}

function storeOver(fake: FakeKeytar, options: { timeoutMs?: number; service?: string } = {}): KeytarSecretStore {
  return new KeytarSecretStore({ ...options, load: async () => ({ default: fake }) });
}

test('OS failure texts map to codes', () => {
  const cases: Array<[string, string]> = [
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'KEYCHAIN_UNAVAILABLE'],
    ['The name org.freedesktop.secrets was not provided by any .service files', 'KEYCHAIN_UNAVAILABLE'],
    ['The name :1.0 was not provided by any .service files', 'KEYCHAIN_UNAVAILABLE'],
    ['Could not connect: No such file or directory', 'KEYCHAIN_UNAVAILABLE'],
    ['Address element “garbage” does not contain a colon (:)', 'KEYCHAIN_UNAVAILABLE'],
    ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'KEYCHAIN_UNAVAILABLE'],
    ['Cannot create an item in a locked collection', 'KEYCHAIN_LOCKED'],
    ['User interaction is not allowed.', 'KEYCHAIN_LOCKED'],
    ['Something else entirely', 'KEYCHAIN_FAILED'],
  ];
  for (const [text, code] of cases) assert.equal(classifyKeychainError(text), code, text);
});

test('default service name, account = session id, value = JSON', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  assert.equal(store.service, DEFAULT_SERVICE);
  assert.equal(DEFAULT_SERVICE, 'OIDC Desk');
  assert.equal(store.persistent, true);
  await store.set('s1', secret('rt-1'));
  assert.deepEqual(JSON.parse(fake.entries.get('OIDC Desk/s1') ?? ''), secret('rt-1'));
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-1') });
});

test('a missing native module makes the store unavailable instead of crashing', async () => {
  const store = new KeytarSecretStore({
    load: async () => {
      throw new Error("Cannot find module '../build/Release/keytar.node'");
    },
  });
  assert.deepEqual(await store.status(), { state: 'unavailable', message: "Cannot find module '../build/Release/keytar.node'" });
  await rejectsWith(store.get('s1'), 'KEYCHAIN_UNAVAILABLE');
  await rejectsWith(store.set('s1', secret('rt-1')), 'KEYCHAIN_UNAVAILABLE');
  await rejectsWith(store.delete('s1'), 'KEYCHAIN_UNAVAILABLE');
});

test('a module without the keytar functions is unavailable too', async () => {
  const store = new KeytarSecretStore({ load: async () => ({ default: {} }) });
  const status = await store.status();
  assert.equal(status.state, 'unavailable');
  await rejectsWith(store.get('s1'), 'KEYCHAIN_UNAVAILABLE');
});

test('status: available, locked, unavailable, from a probe entry that is removed again', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  assert.deepEqual(await store.status(), { state: 'available' });
  assert.deepEqual(fake.calls, [`set OIDC Desk/${PROBE_ACCOUNT}`, `delete OIDC Desk/${PROBE_ACCOUNT}`]);
  assert.equal(fake.entries.size, 0);
  fake.locked = true;
  assert.deepEqual(await store.status(), { state: 'locked', message: 'Cannot create an item in a locked collection' });
  fake.locked = false;
  fake.failWith = 'The name org.freedesktop.secrets was not provided by any .service files';
  assert.deepEqual(await store.status(), { state: 'unavailable', message: fake.failWith });
});

test('a miss while locked is unknown, a miss while available is absent', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  await store.set('s1', secret('rt-1'));
  fake.locked = true;
  const read = await store.get('s1');
  assert.ok(read.kind === 'unknown');
  assert.equal(read.reason.code, 'KEYCHAIN_LOCKED');
  fake.locked = false;
  assert.deepEqual(await store.get('s2'), { kind: 'absent' });
});

test('a miss while the probe fails is unknown with the probe error', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  fake.setPassword = async () => {
    throw new Error('Object does not exist at path “/org/freedesktop/secrets/collection/login”');
  };
  const read = await store.get('s1');
  assert.ok(read.kind === 'unknown');
  assert.equal(read.reason.code, 'KEYCHAIN_UNAVAILABLE');
});

test('a delete that found nothing while locked fails KEYCHAIN_LOCKED; while available it is false', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  await store.set('s1', secret('rt-1'));
  fake.locked = true;
  await rejectsWith(store.delete('s1'), 'KEYCHAIN_LOCKED');
  fake.locked = false;
  assert.equal(await store.delete('s1'), true);
  assert.equal(await store.delete('s1'), false);
});

test('set: locked -> KEYCHAIN_LOCKED; too large -> KEYCHAIN_ENTRY_TOO_LARGE with no keytar call', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  await rejectsWith(store.set('s1', secret('x'.repeat(3000))), 'KEYCHAIN_ENTRY_TOO_LARGE');
  assert.deepEqual(fake.calls, []);
  fake.locked = true;
  await rejectsWith(store.set('s1', secret('rt-1')), 'KEYCHAIN_LOCKED');
});

test('corrupt entry: removed and reported, also when the removal fails', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  fake.entries.set('OIDC Desk/s1', 'rt-garbage');
  await rejectsWith(store.get('s1'), 'KEYCHAIN_ENTRY_CORRUPT');
  assert.equal(fake.entries.has('OIDC Desk/s1'), false);
  fake.entries.set('OIDC Desk/s1', '{"v":1}');
  fake.deletePassword = async () => {
    throw new Error('Something else entirely');
  };
  await rejectsWith(store.get('s1'), 'KEYCHAIN_ENTRY_CORRUPT');
});

test('a non-string value from keytar is treated as corrupt', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  fake.getPassword = async () => 42;
  await rejectsWith(store.get('s1'), 'KEYCHAIN_ENTRY_CORRUPT');
});

test('the secret never appears in an error message, even if the OS text echoes it', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  fake.setPassword = async (_s, _a, password) => {
    throw new Error(`failed to store ${password}`);
  };
  await assert.rejects(store.set('s1', secret('rt-SECRET-VALUE')), (err: unknown) => {
    assert.ok(isDeskError(err, 'KEYCHAIN_FAILED'));
    assert.ok(!err.message.includes('rt-SECRET-VALUE'), err.message);
    assert.ok(!String(err.cause).includes('rt-SECRET-VALUE'), 'nor in the cause');
    return true;
  });
});

test('a call that never returns fails KEYCHAIN_TIMEOUT; later calls fail fast until it returns', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake, { timeoutMs: 20 });
  let release: () => void = () => undefined;
  fake.hold = new Promise<void>((resolve) => {
    release = resolve;
  });
  await rejectsWith(store.set('s1', secret('rt-1')), 'KEYCHAIN_TIMEOUT');
  assert.equal(store.stuck, true);
  const callsBefore = fake.calls.length;
  await rejectsWith(store.get('s1'), 'KEYCHAIN_TIMEOUT');
  assert.equal((await store.status()).state, 'unavailable');
  assert.equal(fake.calls.length, callsBefore, 'no further keytar call while one is stuck');
  fake.hold = undefined;
  release();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(store.stuck, false);
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-1') }, 'the late write landed');
});

test('a call still within its timeout is not stuck (a front may quit while it runs)', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake, { timeoutMs: 60_000 });
  let release: () => void = () => undefined;
  fake.hold = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pending = store.set('s1', secret('rt-1'));
  while (fake.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(store.stuck, false, 'in flight, not timed out');
  fake.hold = undefined;
  release();
  await pending;
  assert.equal(store.stuck, false);
});

test('calls of one store never overlap', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  await Promise.all([
    store.set('s1', secret('rt-1')),
    store.get('s1'),
    store.set('s1', secret('rt-2')),
    store.status(),
    store.get('s2'),
    store.delete('s1'),
  ]);
  assert.equal(fake.maxActive, 1);
});

test('calls run in order: a read after a write sees the write', async () => {
  const fake = new FakeKeytar();
  const store = storeOver(fake);
  const [, read] = await Promise.all([store.set('s1', secret('rt-new')), store.get('s1')]);
  assert.deepEqual(read, { kind: 'found', secret: secret('rt-new') });
});

test('bad arguments: USAGE, synchronously rejected as a promise', async () => {
  const store = storeOver(new FakeKeytar());
  await rejectsWith(store.get('has space'), 'USAGE');
  await rejectsWith(store.set(PROBE_ACCOUNT, secret('rt')), 'USAGE');
  assert.throws(() => new KeytarSecretStore({ service: '' }), (err: unknown) => isDeskError(err, 'USAGE'));
  assert.throws(() => new KeytarSecretStore({ timeoutMs: 0 }), (err: unknown) => isDeskError(err, 'USAGE'));
});

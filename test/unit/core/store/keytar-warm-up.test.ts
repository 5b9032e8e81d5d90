/** Unit: KeytarSecretStore.warmUp() over a fake keytar: it reads only the probe entry, in the store's queue, and leaves failures to the calls after it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeskError } from '../../../../src-main/core/errors.ts';
import { KeytarSecretStore, PROBE_ACCOUNT, type KeytarLike } from '../../../../src-main/core/store/keytar-secret-store.ts';

const SECRET = JSON.stringify({ v: 1, refreshToken: 'rt-warm', issuer: 'https://op.example', clientId: 'desk', createdAt: 1_700_000_000_000 });

/** Records each call and how many run at once; `gate`, while set, holds every call. */
function fakeKeytar(): KeytarLike & { calls: string[]; maxActive: number; gate: Promise<void> | undefined } {
  let active = 0;
  const fake = {
    calls: [] as string[],
    maxActive: 0,
    gate: undefined as Promise<void> | undefined,
    async enter(name: string): Promise<void> {
      fake.calls.push(name);
      active += 1;
      fake.maxActive = Math.max(fake.maxActive, active);
      await fake.gate;
      await new Promise((resolve) => setImmediate(resolve));
      active -= 1;
    },
    async getPassword(service: string, account: string): Promise<unknown> {
      await fake.enter(`get ${service}/${account}`);
      return account === 's1' ? SECRET : null;
    },
    async setPassword(service: string, account: string): Promise<unknown> {
      await fake.enter(`set ${service}/${account}`);
      return undefined;
    },
    async deletePassword(service: string, account: string): Promise<unknown> {
      await fake.enter(`delete ${service}/${account}`);
      return false;
    },
  };
  return fake;
}

test('warmUp loads keytar and looks up only the probe entry: no write, no delete, no session entry', async () => {
  const fake = fakeKeytar();
  let loads = 0;
  const store = new KeytarSecretStore({ service: 'svc', load: async () => ((loads += 1), { default: fake }) });
  store.warmUp();
  assert.deepEqual(fake.calls, [], 'nothing runs synchronously');
  const read = await store.get('s1');
  assert.equal(read.kind, 'found');
  assert.deepEqual(fake.calls, [`get svc/${PROBE_ACCOUNT}`, 'get svc/s1'], 'the warm-up first, then the read');
  assert.equal(loads, 1, 'keytar is loaded once');
});

test('a warm-up still running when a read comes: the read waits for it, never overlaps it', async () => {
  const fake = fakeKeytar();
  let open: () => void = () => undefined;
  fake.gate = new Promise((resolve) => (open = resolve));
  const store = new KeytarSecretStore({ service: 'svc', load: async () => ({ default: fake }) });
  store.warmUp();
  const read = store.get('s1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(fake.calls, [`get svc/${PROBE_ACCOUNT}`]);
  open();
  assert.equal((await read).kind, 'found');
  assert.equal(fake.maxActive, 1);
});

test('a warm-up that fails rejects nothing itself; the next call reports the failure with its code', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const store = new KeytarSecretStore({
      load: async () => {
        throw new Error("Cannot find module '../build/Release/keytar.node'");
      },
    });
    store.warmUp();
    await assert.rejects(store.get('s1'), (err: unknown) => isDeskError(err, 'KEYCHAIN_UNAVAILABLE'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

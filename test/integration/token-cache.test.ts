/**
 * The token cache shared by every process, against the real local provider and the real keychain: a new
 * process answers from it with no request; nothing readable is on disk; processes see each other's
 * refreshes and sign-outs; a tampered or misplaced cache file is never used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { refreshedBody, setup } from '../harness/hostile-session.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

const { idp, signedIn } = useLocalProvider();

const realKeychain = process.env['OIDC_DESK_TEST_KEYRING'] === '1';
let stores = 0;

/** The real keychain when the runner provides one, else a memory store standing in for it. */
function keychain(): SecretStore {
  if (realKeychain) return new KeytarSecretStore({ service: `OIDC Desk cache test ${process.pid} ${++stores}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

function open(dataDir: string, secrets: SecretStore): Promise<SessionService> {
  return SessionService.open({ dataDir, secrets, fetch: createHttpClient(), now: Date.now });
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

test('a new process answers access and ID token from the cache: no request at all, nothing readable on disk', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-cache-'));
  const secrets = keychain();
  const first = await open(dataDir, secrets);
  const view = await signedIn(first);
  const accessToken = await first.accessToken(view.id);
  const idToken = await first.idToken(view.id);
  recordSecrets(accessToken, idToken);

  const file = join(dataDir, 'tokens', `${view.id}.json`);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const raw = await readFile(file, 'utf8');
  for (const secret of [accessToken, idToken, idToken.split('.')[1]!, Buffer.from(accessToken).toString('base64')]) {
    assert.ok(!raw.includes(secret), 'the cache file holds no token in a readable form');
  }

  await idp.resetCounts();
  const second = await open(dataDir, secrets);
  assert.equal(await second.accessToken(view.id), accessToken);
  assert.equal(await second.idToken(view.id), idToken);
  assert.equal(second.view(view.id).idToken?.report?.kind, 'jwt', 'the verification report comes along');
  assert.equal(total(await idp.counts()), 0, 'no discovery, no token request, nothing');
  // Asking for more validity than the cached token has left refreshes, once.
  await second.accessToken(view.id, 24 * 3600);
  assert.equal((await idp.counts())['token:refresh_token'], 1);
});

test('processes see each other\'s refreshes and sign-outs through the cache', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-cache-'));
  const secrets = keychain();
  const app = await open(dataDir, secrets);
  const view = await signedIn(app);
  const refreshed = await app.refresh(view.id);
  const cli = await open(dataDir, secrets);
  await idp.resetCounts();
  await cli.accessToken(view.id);
  assert.equal(cli.view(view.id).accessToken?.fingerprint, refreshed.accessToken?.fingerprint, 'the other process has the refreshed token');
  assert.equal((await idp.counts())['token:refresh_token'], undefined);

  await app.signOut(view.id);
  await assert.rejects(stat(join(dataDir, 'tokens', `${view.id}.json`)), { code: 'ENOENT' }, 'a signed-out session leaves nothing in the cache');
  await assert.rejects(cli.accessToken(view.id), { code: 'SESSION_NOT_FOUND' }, 'the process that held the token sees the sign-out too');
  const later = await open(dataDir, secrets);
  assert.throws(() => later.view(view.id), { code: 'SESSION_NOT_FOUND' });
});

test('a cache file copied onto another session is refused and removed; that session refreshes instead', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-cache-'));
  const secrets = keychain();
  const service = await open(dataDir, secrets);
  const alice = await signedIn(service, DEMO_USERS[0]!);
  const bob = await signedIn(service, DEMO_USERS[1]!);
  const tokens = join(dataDir, 'tokens');
  await copyFile(join(tokens, `${alice.id}.json`), join(tokens, `${bob.id}.json`));
  await idp.resetCounts();
  const next = await open(dataDir, secrets);
  await next.accessToken(bob.id);
  assert.notEqual(next.view(bob.id).accessToken?.fingerprint, alice.accessToken?.fingerprint, 'alice\'s token is never used for bob');
  assert.equal((await idp.counts())['token:refresh_token'], 1, 'bob\'s session refreshed instead');
});

test('a refresh that brings no new refresh token writes nothing to the keychain; a rotation writes once', async () => {
  let rotate = false;
  const { idp: hostile, service, secrets, view } = await setup(async (self) => {
    const body = await refreshedBody(self, {});
    if (!rotate) delete (body.json as Record<string, unknown>).refresh_token;
    return body;
  });
  try {
    let writes = 0;
    const realSet = secrets.set.bind(secrets);
    secrets.set = async (...args) => {
      writes += 1;
      return realSet(...args);
    };
    await service.refresh(view.id);
    assert.equal(writes, 0, 'no new refresh token: the keychain is not touched');
    rotate = true;
    await service.refresh(view.id);
    assert.equal(writes, 1);
  } finally {
    await hostile.stop();
  }
});

test('a cache file with a flipped byte is refused and removed; a refresh replaces it', async () => {
  const { idp: hostile, service, secrets, view } = await setup((self) => refreshedBody(self, {}));
  try {
    const file = join(service.dataDir, 'tokens', `${view.id}.json`);
    const envelope = JSON.parse(await readFile(file, 'utf8')) as { data: string };
    const flipped = Buffer.from(envelope.data, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    await writeFile(file, JSON.stringify({ ...envelope, data: flipped.toString('base64url') }));
    const before = hostile.counts['/token'] ?? 0;
    const next = await SessionService.open({ dataDir: service.dataDir, secrets, fetch: createHttpClient(), now: Date.now });
    await next.accessToken(view.id);
    assert.equal(hostile.counts['/token'], before + 1, 'the tampered cache was not used: a refresh got a new token');

    const third = await SessionService.open({ dataDir: service.dataDir, secrets, fetch: createHttpClient(), now: Date.now });
    await third.accessToken(view.id);
    assert.equal(hostile.counts['/token'], before + 1, 'the rewritten cache is used again');
  } finally {
    await hostile.stop();
  }
});

test('a cache file a crash cut short (empty, or half written: the cache is not synced to disk) is a miss; a refresh replaces it', async () => {
  const { idp: hostile, service, secrets, view } = await setup((self) => refreshedBody(self, {}));
  try {
    const file = join(service.dataDir, 'tokens', `${view.id}.json`);
    const whole = await readFile(file, 'utf8');
    for (const left of ['', whole.slice(0, Math.floor(whole.length / 2))]) {
      await writeFile(file, left);
      const before = hostile.counts['/token'] ?? 0;
      const next = await SessionService.open({ dataDir: service.dataDir, secrets, fetch: createHttpClient(), now: Date.now });
      await next.accessToken(view.id);
      assert.equal(hostile.counts['/token'], before + 1, `a cut cache (${left.length} bytes) is not used: a refresh got a new token`);
      assert.ok((await readFile(file, 'utf8')).length > left.length, 'the refresh wrote the cache again');
    }
  } finally {
    await hostile.stop();
  }
});

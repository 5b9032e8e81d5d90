/**
 * A confidential client's revocation that failed on the network and is owed: the retry authenticates as
 * the client (RFC 7009 §2.1) with the secret from the keychain, so the refresh token really ends at the
 * provider; and the client's keychain entry stays while such a revocation waits, even after its profile and
 * last session are gone, then goes once the revocation is done. Real local provider (the test-only password
 * grant, a client_secret_basic client), real keychain; the network failure is a transport that refuses the
 * revocation endpoint while "offline", as a pulled cable would.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result, SignInDone } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { clientAccount } from '../../src-main/core/store/client-credential.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { passwordClient, testSecret, testUser } from '../harness/service-clients.ts';

const SECRET = testSecret('owed-conf-secret');
const USER = testUser();
const CLIENT = 'owed-conf';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ users: [USER], clients: [passwordClient(CLIENT, SECRET), passwordClient('owed-public')], grants: { password: true } });
});
after(async () => idp?.stop());

function keychain(): SecretStore {
  if (process.env['OIDC_DESK_TEST_KEYRING'] === '1') return new KeytarSecretStore({ service: `OIDC Desk owed revocation test ${process.pid} ${Math.random()}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

interface Opened { readonly desk: Desk; readonly dataDir: string; readonly secrets: SecretStore; offline: boolean }

/** A desk whose transport fails every request to the revocation endpoint while `offline`. */
async function open(): Promise<Opened> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-owed-'));
  const secrets = keychain();
  const opened = { dataDir, secrets, offline: false } as Opened;
  const desk = await openDesk({
    dataDir,
    secrets,
    fetch: (input, init) => {
      if (opened.offline && String(input).includes('revocation')) return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }));
      return fetch(input, init as RequestInit);
    },
  });
  return Object.assign(opened, { desk });
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function signIn(o: Opened, profile: string): Promise<string> {
  const started = value(await o.desk.api.startSignIn({ profile, username: USER.username, password: USER.password }));
  assert.ok('session' in started, 'the password grant signs in without a browser');
  const session = (started as SignInDone).session;
  recordSecrets(value(await o.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value);
  return session.id;
}

async function addProfiles(o: Opened): Promise<void> {
  value(await o.desk.api.addProfile({ profile: { name: 'conf', issuer: idp.issuer, clientId: CLIENT, allowHttpLoopback: true, flow: 'password', clientAuth: 'client_secret_basic', scopes: 'openid offline_access' } }));
  value(await o.desk.api.setClientSecret({ profile: 'conf', secret: SECRET }));
  value(await o.desk.api.addProfile({ profile: { name: 'public', issuer: idp.issuer, clientId: 'owed-public', allowHttpLoopback: true, flow: 'password', scopes: 'openid offline_access' } }));
}

/** The refresh token an owed revocation keeps in the keychain (read as the test, never shown by the API). */
async function owedToken(o: Opened): Promise<{ account: string; clientAuth: unknown; refreshToken: string }> {
  const index = JSON.parse(await readFile(join(o.dataDir, 'sessions.json'), 'utf8')) as { revocations: { account: string; clientAuth?: unknown }[] };
  assert.equal(index.revocations.length, 1, 'one revocation is owed');
  const { account, clientAuth } = index.revocations[0]!;
  const read = await o.secrets.get(account);
  assert.equal(read.kind, 'found');
  const refreshToken = (read as { secret: { refreshToken: string } }).secret.refreshToken;
  recordSecrets(refreshToken);
  return { account, clientAuth, refreshToken };
}

/** Whether the provider still honours `refreshToken` for the client: a refresh_token grant authenticated with the secret. */
async function stillValid(refreshToken: string): Promise<boolean> {
  const response = await fetch(new URL('token', `${idp.issuer}/`), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT}:${SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  const body = await response.json() as { error?: string; access_token?: string; refresh_token?: string };
  recordSecrets(...[body.access_token, body.refresh_token].filter((t): t is string => typeof t === 'string'));
  if (response.status === 200) return true;
  assert.equal(body.error, 'invalid_grant', `HTTP ${response.status} ${body.error ?? ''}`);
  return false;
}

test('an owed revocation of a confidential client is retried with its client authentication, and ends the token at the provider', { timeout: 60_000 }, async () => {
  const o = await open();
  try {
    await addProfiles(o);
    const conf = await signIn(o, 'conf');
    const other = await signIn(o, 'public');
    o.offline = true;
    const out = value(await o.desk.api.signOut({ sessionId: conf }));
    assert.equal(out.tokens.refresh, 'pending');
    const owed = await owedToken(o);
    assert.equal(owed.clientAuth, 'client_secret_basic', 'the owed revocation records how its client authenticates');
    o.offline = false;
    // The next sign-out that reaches the provider tries the owed revocation again.
    const next = value(await o.desk.api.signOut({ sessionId: other }));
    assert.equal(next.tokens.refresh, 'revoked');
    assert.equal(next.earlierRevocations, undefined, 'no revocation is left owed');
    assert.equal((await o.secrets.get(owed.account)).kind, 'absent', 'the owed token left the keychain');
    assert.equal(await stillValid(owed.refreshToken), false, 'the provider revoked the owed refresh token');
  } finally {
    o.desk.close();
  }
});

test('a confidential client\'s keychain entry outlives its profile while a revocation of it is owed, and goes once it is done', { timeout: 60_000 }, async () => {
  const o = await open();
  const account = clientAccount(idp.issuer, CLIENT);
  try {
    await addProfiles(o);
    const conf = await signIn(o, 'conf');
    const other = await signIn(o, 'public');
    value(await o.desk.api.removeProfile({ name: 'conf' }));
    assert.equal((await o.secrets.getClient(account)).kind, 'found', 'the session still needs the client secret');
    o.offline = true;
    assert.equal(value(await o.desk.api.signOut({ sessionId: conf })).tokens.refresh, 'pending');
    const owed = await owedToken(o);
    assert.equal((await o.secrets.getClient(account)).kind, 'found', 'kept: the owed revocation authenticates with it');
    o.offline = false;
    const next = value(await o.desk.api.signOut({ sessionId: other }));
    assert.equal(next.earlierRevocations, undefined, 'no revocation is left owed');
    assert.equal(await stillValid(owed.refreshToken), false, 'the provider revoked the owed refresh token');
    assert.equal((await o.secrets.getClient(account)).kind, 'absent', 'nothing needs the client secret any more: it left the keychain');
  } finally {
    o.desk.close();
  }
});

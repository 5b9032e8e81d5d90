/**
 * The flows without a browser through openDesk() and DeskApi, against the real local provider (oidc-provider
 * with client credentials enabled and the test-only password grant of test/harness/password-grant.ts) and the
 * real keychain: client credentials with client_secret_basic, client_secret_post and private_key_jwt, the
 * legacy password grant, the refusals (wrong secret, grant not allowed, wrong password, missing secret), and
 * that the client secret and the password appear in no result, event, timeline, HAR or data file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, Result, SignInDone } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { fingerprint } from '../../src-main/core/http/redact.ts';
import { clientAccount } from '../../src-main/core/store/client-credential.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { freePort, passwordClient, serviceClient, testSecret, testUser } from '../harness/service-clients.ts';

const BASIC_SECRET = testSecret('basic-secret');
const POST_SECRET = testSecret('post-secret');
const CONF_PW_SECRET = testSecret('pw-conf-secret');
const WRONG_SECRET = testSecret('wrong-secret');
const USER = testUser();

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({
    users: [USER],
    clients: [serviceClient('svc-basic', BASIC_SECRET, 'client_secret_basic'), serviceClient('svc-post', POST_SECRET, 'client_secret_post'), passwordClient('pw-public'), passwordClient('pw-conf', CONF_PW_SECRET)],
    grants: { clientCredentials: true, password: true, apiScopes: ['api:read', 'api:write'] },
  });
});
after(async () => idp?.stop());

function keychain(): SecretStore {
  if (process.env['OIDC_DESK_TEST_KEYRING'] === '1') return new KeytarSecretStore({ service: `OIDC Desk flows test ${process.pid} ${Math.random()}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

/** Everything the API answered or announced, to search for secrets at the end of each test. */
interface Watched { readonly desk: Desk; readonly dataDir: string; readonly secrets: SecretStore; readonly seen: unknown[]; offset: number }

async function open(dataDir?: string, secrets: SecretStore = keychain()): Promise<Watched> {
  const dir = dataDir ?? await mkdtemp(join(tmpdir(), 'oidc-desk-flows-'));
  const watched: Watched = { desk: undefined as unknown as Desk, dataDir: dir, secrets, seen: [], offset: 0 };
  const desk = await openDesk({ dataDir: dir, secrets, now: () => Date.now() + watched.offset });
  desk.api.subscribe((e: DeskEvent) => void watched.seen.push(e));
  return Object.assign(watched, { desk });
}

function value<T>(w: Watched, result: Result<T>): T {
  w.seen.push(result);
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure<T>(w: Watched, result: Result<T>): { code: string; message: string } {
  w.seen.push(result);
  assert.equal(result.ok, false, 'the operation must fail');
  return (result as { ok: false; error: { code: string; message: string } }).error;
}

/** Every file of the data directory, as text. */
async function dataFiles(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name), 'utf8')));
  return texts.join('\n');
}

/** The secret, its fingerprint and (for a client secret) its Basic header form appear nowhere a front or a file could show. */
async function assertNowhere(w: Watched, sessionId: string | undefined, secret: string, clientId?: string): Promise<void> {
  const forms = [secret, fingerprint(secret), encodeURIComponent(secret)];
  if (clientId !== undefined) {
    // As oauth4webapi writes it (RFC 6749 §2.3.1: form-urlencoded, then Base64).
    const form = (v: string): string => encodeURIComponent(v).replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replaceAll('%20', '+');
    const basic = Buffer.from(`${form(clientId)}:${form(secret)}`).toString('base64');
    forms.push(basic, fingerprint(basic));
  }
  const places: Record<string, string> = { 'results and events': JSON.stringify(w.seen), 'data directory': await dataFiles(w.dataDir) };
  if (sessionId !== undefined) {
    places['timeline'] = JSON.stringify(value(w, await w.desk.api.sessionTimeline({ sessionId })));
    places['HAR'] = JSON.stringify(value(w, await w.desk.api.exportHar({ sessionId })));
  }
  for (const [where, text] of Object.entries(places)) for (const form of forms) assert.ok(!text.includes(form), `a form of the secret is in the ${where}`);
}

function done(result: SignInDone | { authorizationUrl: string } | { device: unknown }): SignInDone {
  assert.ok('session' in result, 'the sign-in completed without a browser');
  return result;
}

test('client credentials with client_secret_basic: no secret -> CLIENT_SECRET_MISSING; then a session for the client, secret only in the keychain', { timeout: 60_000 }, async () => {
  const w = await open();
  try {
    const profile = value(w, await w.desk.api.addProfile({ profile: { name: 'svc', issuer: idp.issuer, clientId: 'svc-basic', allowHttpLoopback: true, flow: 'client_credentials', scopes: 'api:read' } }));
    assert.equal(profile.flow, 'client_credentials');
    assert.equal(profile.clientAuth, 'client_secret_basic', 'the default method of a service client');
    assert.equal(failure(w, await w.desk.api.startSignIn({ profile: 'svc' })).code, 'CLIENT_SECRET_MISSING');
    assert.equal((await idp.counts())['token:client_credentials'], undefined, 'nothing was sent without a secret');
    assert.equal(value(w, await w.desk.api.clientCredential({ profile: 'svc' })).secretSet, false);

    const set = value(w, await w.desk.api.setClientSecret({ profile: 'svc', secret: BASIC_SECRET }));
    assert.deepEqual({ secretSet: set.secretSet, publicKey: set.publicKey }, { secretSet: true, publicKey: null });
    const stored = await w.secrets.getClient(clientAccount(idp.issuer, 'svc-basic'));
    assert.ok(stored.kind === 'found' && stored.credential.secret === BASIC_SECRET && stored.credential.issuer === idp.issuer && stored.credential.clientId === 'svc-basic', 'the secret is in the keychain, bound to its issuer and client');

    const completed = new Promise<DeskEvent>((resolve) => w.desk.api.subscribe((e) => void (e.type === 'sign-in-completed' && resolve(e))));
    const { session } = done(value(w, await w.desk.api.startSignIn({ profile: 'svc' })));
    assert.equal((await completed).type, 'sign-in-completed');
    assert.equal(session.flow, 'client_credentials');
    assert.equal(session.subject, 'svc-basic', 'the subject is the client');
    assert.equal(session.idToken, undefined);
    assert.equal(session.hasRefreshToken, false);
    assert.equal(session.status, 'active');
    assert.deepEqual(session.scopes, ['api:read']);
    assert.equal(session.accessToken?.format, 'opaque');
    const token = value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'access' }));
    recordSecrets(token.value);
    const timeline = value(w, await w.desk.api.sessionTimeline({ sessionId: session.id }));
    const request = timeline.find((e) => e.method === 'POST' && e.url.endsWith('/token'));
    assert.ok(request?.requestHeaders['authorization']?.startsWith('Basic '), 'the token request authenticated with HTTP Basic');
    assert.ok(!String(request?.requestBody).includes('client_secret'), 'client_secret_basic puts no secret in the body');
    // Introspection and revocation authenticate as the client too.
    const introspection = value(w, await w.desk.api.introspectToken({ sessionId: session.id, token: 'access' }));
    assert.deepEqual([introspection.active, introspection.clientId], [true, 'svc-basic']);
    await assertNowhere(w, session.id, BASIC_SECRET, 'svc-basic');
    const out = value(w, await w.desk.api.signOut({ sessionId: session.id }));
    assert.deepEqual(out.tokens, { refresh: 'none', access: 'revoked' });
    assert.equal(value(w, await w.desk.api.listSessions()).length, 0);
    await assertNowhere(w, undefined, BASIC_SECRET, 'svc-basic');
  } finally {
    w.desk.close();
  }
});

test('client credentials with client_secret_post; a wrong secret is INVALID_CLIENT, a grant the client may not use is refused', { timeout: 60_000 }, async () => {
  const w = await open();
  try {
    value(w, await w.desk.api.addProfile({ profile: { name: 'post', issuer: idp.issuer, clientId: 'svc-post', allowHttpLoopback: true, flow: 'client_credentials', clientAuth: 'client_secret_post' } }));
    value(w, await w.desk.api.setClientSecret({ profile: 'post', secret: WRONG_SECRET }));
    const wrong = failure(w, await w.desk.api.startSignIn({ profile: 'post' }));
    assert.equal(wrong.code, 'INVALID_CLIENT');
    value(w, await w.desk.api.setClientSecret({ profile: 'post', secret: POST_SECRET }));
    const { session } = done(value(w, await w.desk.api.startSignIn({ profile: 'post' })));
    assert.equal(session.subject, 'svc-post');
    const request = value(w, await w.desk.api.sessionTimeline({ sessionId: session.id })).find((e) => e.method === 'POST' && e.url.endsWith('/token'));
    assert.equal(request?.requestHeaders['authorization'], undefined, 'client_secret_post sends no Authorization header');
    assert.match(String(request?.requestBody), /client_secret=/, 'the secret went in the body (masked in the timeline)');
    recordSecrets(value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value);
    await assertNowhere(w, session.id, POST_SECRET, 'svc-post');
    await assertNowhere(w, undefined, WRONG_SECRET, 'svc-post');

    // A confidential client registered for the password grant only may not use client credentials.
    value(w, await w.desk.api.addProfile({ profile: { name: 'not-cc', issuer: idp.issuer, clientId: 'pw-conf', allowHttpLoopback: true, flow: 'client_credentials' } }));
    value(w, await w.desk.api.setClientSecret({ profile: 'not-cc', secret: CONF_PW_SECRET }));
    // oidc-provider answers a grant type the client may not use with invalid_request (RFC 6749 §5.2 says
    // unauthorized_client, as Okta answers): refused either way, and no token is issued.
    await idp.resetCounts();
    const notAllowed = failure(w, await w.desk.api.startSignIn({ profile: 'not-cc' })) as { code: string; oauthError?: string };
    assert.deepEqual([notAllowed.code, notAllowed.oauthError], ['TOKEN_ERROR', 'invalid_request']);
    assert.equal(value(w, await w.desk.api.listSessions()).length, 1, 'no session came of it');
    await assertNowhere(w, undefined, CONF_PW_SECRET, 'pw-conf');
  } finally {
    w.desk.close();
  }
});

test('the token of a client credentials session: from the cache while valid, the grant run again once it ran out', { timeout: 60_000 }, async () => {
  const w = await open();
  try {
    value(w, await w.desk.api.addProfile({ profile: { name: 'svc', issuer: idp.issuer, clientId: 'svc-basic', allowHttpLoopback: true, flow: 'client_credentials', scopes: 'api:read' } }));
    value(w, await w.desk.api.setClientSecret({ profile: 'svc', secret: BASIC_SECRET }));
    await idp.resetCounts();
    const { session } = done(value(w, await w.desk.api.startSignIn({ profile: 'svc' })));
    const first = value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value;
    recordSecrets(first);
    // Another process (a new desk on the same data directory and keychain) reads the cache: no request.
    const other = await open(w.dataDir, w.secrets);
    try {
      assert.equal(value(other, await other.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value, first, 'answered from the encrypted token cache');
      assert.equal((await idp.counts())['token:client_credentials'], 1);
      other.offset = 2 * 3600_000;
      const second = value(other, await other.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value;
      recordSecrets(second);
      assert.notEqual(second, first, 'the expired token was replaced');
      assert.equal((await idp.counts())['token:client_credentials'], 2, 'by running the grant again');
      const view = value(other, await other.desk.api.refreshSession({ sessionId: session.id }));
      assert.equal(view.status, 'active');
      assert.equal((await idp.counts())['token:client_credentials'], 3, 'an explicit refresh runs the grant again');
      recordSecrets(value(other, await other.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value);
      await assertNowhere(other, session.id, BASIC_SECRET, 'svc-basic');
    } finally {
      other.desk.close();
    }
  } finally {
    w.desk.close();
  }
});

test('client credentials with private_key_jwt: the app makes the key pair, the provider gets its public JWK', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const w = await open();
  let jwtIdp: TestIdp | undefined;
  try {
    value(w, await w.desk.api.addProfile({ profile: { name: 'jwt', issuer, clientId: 'svc-jwt', allowHttpLoopback: true, flow: 'client_credentials', clientAuth: 'private_key_jwt' } }));
    const view = value(w, await w.desk.api.generateClientKey({ profile: 'jwt' }));
    const key = view.publicKey;
    assert.ok(key !== null);
    assert.equal(key.jwk['kty'], 'EC');
    assert.equal(key.jwk['alg'], 'ES256');
    assert.equal(key.jwk['d'], undefined, 'the view holds no private part');
    assert.equal(key.jwk['kid'], key.thumbprint);
    const stored = await w.secrets.getClient(clientAccount(issuer, 'svc-jwt'));
    assert.ok(stored.kind === 'found' && stored.credential.privateJwk?.['d'] !== undefined, 'the private key is in the keychain');
    const privateD = stored.credential.privateJwk?.['d'] ?? '';
    recordSecrets(privateD);
    jwtIdp = await startTestIdp({
      port,
      clients: [{ client_id: 'svc-jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.jwk] }, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api:read' }],
      grants: { clientCredentials: true, apiScopes: ['api:read'] },
    });
    const { session } = done(value(w, await w.desk.api.startSignIn({ profile: 'jwt' })));
    assert.equal(session.subject, 'svc-jwt');
    recordSecrets(value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value);
    const request = value(w, await w.desk.api.sessionTimeline({ sessionId: session.id })).find((e) => e.method === 'POST' && e.url.endsWith('/token'));
    assert.match(String(request?.requestBody), /client_assertion_type=urn/, 'a signed client assertion was sent');
    await assertNowhere(w, session.id, privateD);
    // This provider has no password grant at all: unsupported_grant_type is UNAUTHORIZED_CLIENT.
    value(w, await w.desk.api.addProfile({ profile: { name: 'jwt-pw', issuer, clientId: 'svc-jwt', allowHttpLoopback: true, flow: 'password', clientAuth: 'private_key_jwt', scopes: 'profile' } }));
    const unsupported = testSecret('unsupported-pw');
    assert.equal(failure(w, await w.desk.api.startSignIn({ profile: 'jwt-pw', username: 'carol', password: unsupported })).code, 'UNAUTHORIZED_CLIENT');
    await assertNowhere(w, session.id, unsupported);
    // A new key the provider does not know is refused: INVALID_CLIENT.
    value(w, await w.desk.api.generateClientKey({ profile: 'jwt', alg: 'RS256' }));
    value(w, await w.desk.api.signOut({ sessionId: session.id }));
    assert.equal(failure(w, await w.desk.api.startSignIn({ profile: 'jwt' })).code, 'INVALID_CLIENT');
  } finally {
    w.desk.close();
    await jwtIdp?.stop();
  }
});

test('the password grant (legacy): warned about, the password used once and found nowhere, refresh like the code flow', { timeout: 60_000 }, async () => {
  const w = await open();
  try {
    const profile = value(w, await w.desk.api.addProfile({ profile: { name: 'pw', issuer: idp.issuer, clientId: 'pw-public', allowHttpLoopback: true, flow: 'password', scopes: 'openid profile offline_access' } }));
    assert.equal(profile.clientAuth, 'none');
    assert.match(profile.warning ?? '', /RFC 9700/, 'the view carries the legacy warning');
    assert.equal(failure(w, await w.desk.api.startSignIn({ profile: 'pw' })).code, 'USAGE', 'no password, no request');
    const wrongPassword = testSecret('not-the-password');
    const wrong = failure(w, await w.desk.api.startSignIn({ profile: 'pw', username: USER.username, password: wrongPassword }));
    assert.equal(wrong.code, 'INVALID_GRANT');
    await assertNowhere(w, undefined, wrongPassword);

    const { session } = done(value(w, await w.desk.api.startSignIn({ profile: 'pw', username: USER.username, password: USER.password })));
    assert.equal(session.flow, 'password');
    assert.equal(session.subject, USER.sub);
    assert.ok(session.idToken !== undefined && session.idToken.report?.kind === 'jwt', 'the ID token was verified');
    assert.equal(session.storage, 'keychain', 'the refresh token went to the keychain');
    const refreshed = value(w, await w.desk.api.refreshSession({ sessionId: session.id }));
    assert.equal(refreshed.status, 'active');
    assert.equal((await idp.counts())['token:refresh_token'], 1);
    recordSecrets(value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value, value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'id' })).value);
    const request = value(w, await w.desk.api.sessionTimeline({ sessionId: session.id })).find((e) => String(e.requestBody).includes('grant_type=password'));
    assert.ok(request !== undefined, 'the password grant is in the session\'s timeline');
    await assertNowhere(w, session.id, USER.password);

    // A confidential client of the password grant authenticates on the refresh and the revocation too.
    value(w, await w.desk.api.addProfile({ profile: { name: 'pw-conf', issuer: idp.issuer, clientId: 'pw-conf', allowHttpLoopback: true, flow: 'password', clientAuth: 'client_secret_basic', scopes: 'openid offline_access' } }));
    assert.equal(failure(w, await w.desk.api.startSignIn({ profile: 'pw-conf', username: USER.username, password: USER.password })).code, 'CLIENT_SECRET_MISSING');
    value(w, await w.desk.api.setClientSecret({ profile: 'pw-conf', secret: CONF_PW_SECRET }));
    const conf = done(value(w, await w.desk.api.startSignIn({ profile: 'pw-conf', username: USER.username, password: USER.password }))).session;
    assert.equal(value(w, await w.desk.api.refreshSession({ sessionId: conf.id })).status, 'active');
    recordSecrets(value(w, await w.desk.api.revealToken({ sessionId: conf.id, type: 'access' })).value);
    await assertNowhere(w, conf.id, USER.password);
    await assertNowhere(w, conf.id, CONF_PW_SECRET, 'pw-conf');
    assert.equal(value(w, await w.desk.api.signOut({ sessionId: conf.id })).tokens.refresh, 'revoked');
    // Revoking the refresh token on its own authenticates as the client as well (RFC 7009 §2.1).
    const second = done(value(w, await w.desk.api.startSignIn({ profile: 'pw-conf', username: USER.username, password: USER.password }))).session;
    assert.equal(value(w, await w.desk.api.revokeToken({ sessionId: second.id, token: 'refresh' })).status, 'sign-in-needed');
    assert.equal((await w.secrets.get(second.id)).kind, 'absent', 'the revoked refresh token left the keychain');
  } finally {
    w.desk.close();
  }
});

test('a profile that cannot be: client credentials without a confidential method, a secret for the code flow', async () => {
  const w = await open();
  try {
    assert.equal(failure(w, await w.desk.api.addProfile({ profile: { name: 'x', issuer: idp.issuer, clientId: 'c', allowHttpLoopback: true, flow: 'client_credentials', clientAuth: 'none' } })).code, 'PROFILE_INVALID');
    assert.equal(failure(w, await w.desk.api.addProfile({ profile: { name: 'x', issuer: idp.issuer, clientId: 'c', allowHttpLoopback: true, flow: 'client_credentials', scopes: 'openid' } })).code, 'PROFILE_INVALID');
    assert.equal(failure(w, await w.desk.api.addProfile({ profile: { name: 'x', issuer: idp.issuer, clientId: 'c', allowHttpLoopback: true, flow: 'implicit' as 'password' } })).code, 'PROFILE_INVALID');
    value(w, await w.desk.api.addProfile({ profile: { name: 'code', issuer: idp.issuer, clientId: 'c', allowHttpLoopback: true } }));
    assert.equal(failure(w, await w.desk.api.setClientSecret({ profile: 'code', secret: WRONG_SECRET })).code, 'USAGE');
    assert.equal(failure(w, await w.desk.api.startSignIn({ profile: 'code', username: 'a', password: WRONG_SECRET })).code, 'USAGE');
    await assertNowhere(w, undefined, WRONG_SECRET);
  } finally {
    w.desk.close();
  }
});

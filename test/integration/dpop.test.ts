/**
 * DPoP (RFC 9449) through openDesk() and DeskApi, against the real local provider (oidc-provider with DPoP
 * nonces required through `nonceSecret`), Chromium and the real keychain: the sign-in's code exchange (and
 * its one nonce retry, counted at the provider), token_type DPoP and the binding to the key the keychain
 * keeps (introspection's cnf.jkt, and a JWT access token's), a refresh and userinfo in new desks (new process
 * state: the key comes from the keychain), the key in no file and no answer, a lost key refused without a
 * bearer fallback; and the small hostile provider for what a compliant one never sends (a token bound to
 * another key, a bearer token).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import type { DeskEvent, Result, SessionView, SignInStart } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore, StoredSecret } from '../../src-main/core/store/secret-store.ts';
import { openBrowser, type BrowserAgent } from '../harness/browser.ts';
import { startHostileIdp } from '../harness/hostile-idp.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { signInOutcome } from '../harness/sign-in-outcome.ts';

const alice = DEMO_USERS[0]!;
const API = 'https://api.example.test';
let idp: TestIdp;
let browser: BrowserAgent;

before(async () => {
  idp = await startTestIdp({ dpop: { nonces: true } });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await idp?.stop();
});

/** One keychain for the file (a keytar service of its own under npm test; else a persistent stand-in). */
const secrets: SecretStore = process.env['OIDC_DESK_TEST_KEYRING'] === '1'
  ? new KeytarSecretStore({ service: `OIDC Desk dpop test ${process.pid}` })
  : Object.defineProperty(new MemorySecretStore(), 'persistent', { value: true });

/** Everything the API answered or announced, to search for the key at the end. */
const seen: unknown[] = [];

async function open(dataDir: string): Promise<Desk> {
  const desk = await openDesk({ dataDir, secrets });
  desk.api.subscribe((e: DeskEvent) => void seen.push(e));
  return desk;
}

function value<T>(result: Result<T>): T {
  seen.push(result);
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure<T>(result: Result<T>): string {
  seen.push(result);
  return result.ok ? 'ok' : result.error.code;
}

/** Signs alice in with a DPoP profile of `issuer`; answers the session, the URL the browser got, and the desk. */
async function signIn(desk: Desk, issuer: string, scopes = 'openid profile email offline_access'): Promise<{ session: SessionView; url: URL }> {
  if (!value(await desk.api.listProfiles()).some((p) => p.name === 'dpop')) {
    value(await desk.api.addProfile({ profile: { name: 'dpop', issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', scopes, extraParams: { prompt: 'consent' }, dpop: true } }));
  }
  const started = value(await desk.api.startSignIn({ profile: 'dpop' })) as SignInStart;
  const done = signInOutcome(desk, started.flowId);
  const redirect = await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: 'dev.oidcdesk:/callback' });
  recordSecrets(...redirectSecrets(redirect));
  value(await desk.deliverCallback(redirect));
  const event = await done;
  if (event.type !== 'sign-in-completed') assert.fail(`the sign-in failed: ${JSON.stringify(event)}`);
  return { session: event.session, url: new URL(started.authorizationUrl) };
}

/** The keychain entry of a session (its refresh token and DPoP key recorded as secrets). */
async function entry(sessionId: string): Promise<StoredSecret> {
  const read = await secrets.get(sessionId);
  if (read.kind !== 'found') assert.fail(`no keychain entry for the session (${read.kind})`);
  recordSecrets(read.secret.refreshToken, read.secret.dpopKey?.['d']);
  return read.secret;
}

async function thumbprintOf(secret: StoredSecret): Promise<string> {
  const key = secret.dpopKey;
  if (key === undefined) assert.fail('the keychain entry holds no DPoP key');
  return calculateJwkThumbprint({ kty: key['kty'] ?? '', crv: key['crv'] ?? '', x: key['x'] ?? '', y: key['y'] ?? '' });
}

/** What the provider says about an access token (RFC 7662), asked by the public client itself. */
async function introspect(issuer: string, token: string): Promise<oauth.IntrospectionResponse> {
  const options = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(new URL(issuer), await oauth.discoveryRequest(new URL(issuer), options));
  const client = { client_id: 'oidc-desk' };
  return oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, oauth.None(), token, options));
}

async function accessToken(desk: Desk, sessionId: string): Promise<string> {
  const token = value(await desk.api.revealToken({ sessionId, type: 'access' })).value;
  recordSecrets(token);
  return token;
}

async function dataFiles(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  return (await Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name), 'utf8')))).join('\n');
}

let dataDir = '';
let sessionId = '';
let jkt = '';

test('DPoP sign-in with nonces required: dpop_jkt on the authorization request, one nonce retry, token_type DPoP bound to the key kept in the keychain', { timeout: 90_000 }, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-dpop-'));
  const desk = await open(dataDir);
  try {
    await idp.resetCounts();
    const { session, url } = await signIn(desk, idp.issuer);
    sessionId = session.id;
    const secret = await entry(session.id);
    jkt = await thumbprintOf(secret);
    assert.equal(url.searchParams.get('dpop_jkt'), jkt, 'the code is bound to the key (RFC 9449 §10)');
    assert.deepEqual(session.dpop, { jkt, accessTokenBinding: 'token-type' }, 'the session view says DPoP, with the key\'s thumbprint only');
    assert.equal((await idp.counts())['token:authorization_code'], 2, 'the first code exchange was refused for want of a nonce, the retry carried it');

    const token = await accessToken(desk, session.id);
    const said = await introspect(idp.issuer, token);
    assert.equal(said.active, true);
    assert.equal(String(said.token_type).toLowerCase(), 'dpop');
    assert.deepEqual(said.cnf, { jkt }, 'the access token is bound to the key in the keychain');
    const timeline = value(await desk.api.sessionTimeline({ sessionId: session.id }));
    const exchanges = timeline.filter((e) => new URL(e.url).pathname.endsWith('/token'));
    assert.equal(exchanges.length, 2);
    assert.ok(exchanges.every((e) => /^\*\*\*masked-/.test(e.requestHeaders['dpop'] ?? '')), 'each token request carried a proof (masked in the timeline)');
    assert.notEqual(exchanges[0]?.requestHeaders['dpop'], exchanges[1]?.requestHeaders['dpop'], 'a fresh proof per request');
  } finally {
    desk.close();
  }
});

test('refresh in a new desk: the key comes from the keychain, the same key binds the new tokens, the rotated refresh token keeps it', { timeout: 60_000 }, async () => {
  assert.ok(sessionId !== '', 'needs the sign-in of the first test');
  const before = await entry(sessionId);
  const desk = await open(dataDir);
  try {
    await idp.resetCounts();
    const refreshed = value(await desk.api.refreshSession({ sessionId }));
    assert.equal(refreshed.dpop?.jkt, jkt);
    assert.equal((await idp.counts())['token:refresh_token'], 2, 'a new process knows no nonce yet: one retry');
    const after = await entry(sessionId);
    assert.notEqual(after.refreshToken, before.refreshToken, 'rotated');
    assert.deepEqual(after.dpopKey, before.dpopKey, 'the rotated refresh token is stored with the same key');
    const said = await introspect(idp.issuer, await accessToken(desk, sessionId));
    assert.deepEqual(said.cnf, { jkt });
  } finally {
    desk.close();
  }
});

test('userinfo in a new desk: the DPoP scheme with a proof, one retry on WWW-Authenticate use_dpop_nonce', { timeout: 60_000 }, async () => {
  const desk = await open(dataDir);
  try {
    await idp.resetCounts();
    const info = value(await desk.api.getUserinfo({ sessionId }));
    assert.equal(info.claims['sub'], alice.sub);
    assert.equal((await idp.counts())['userinfo'], 2);
    const calls = value(await desk.api.sessionTimeline({ sessionId })).filter((e) => new URL(e.url).pathname.endsWith('/me'));
    assert.equal(calls.length, 2);
    assert.equal(calls[0]?.status, 401);
    assert.equal(calls[1]?.status, 200);
    for (const call of calls) assert.match(call.requestHeaders['authorization'] ?? '', /^DPoP \*\*\*masked-/, 'the DPoP scheme, never Bearer');
    assert.match(calls[0]?.responseHeaders?.['www-authenticate'] ?? '', /use_dpop_nonce/);
  } finally {
    desk.close();
  }
});

test('the DPoP key is in no data directory file and no API answer, event, timeline or HAR', { timeout: 30_000 }, async () => {
  const desk = await open(dataDir);
  try {
    seen.push(value(await desk.api.listSessions()), value(await desk.api.getSession({ sessionId })));
    seen.push(value(await desk.api.exportHar({ sessionId })), value(await desk.api.listProfiles()));
    const key = (await entry(sessionId)).dpopKey ?? {};
    const places = { 'data directory': await dataFiles(dataDir), 'answers and events': JSON.stringify(seen) };
    for (const [where, text] of Object.entries(places)) {
      for (const part of ['d', 'x', 'y'] as const) assert.ok(!text.includes(key[part] ?? '-'), `the key's ${part} is in the ${where}`);
    }
    assert.ok(places['data directory'].includes(jkt), 'the index names the key by its public thumbprint only');
  } finally {
    desk.close();
  }
});

test('a DPoP key missing from the keychain: refresh and userinfo fail DPOP_KEY_MISSING, nothing is sent, the session and its refresh token are kept', { timeout: 30_000 }, async () => {
  const { dpopKey: _lost, ...withoutKey } = await entry(sessionId);
  await secrets.set(sessionId, withoutKey);
  const desk = await open(dataDir);
  try {
    await idp.resetCounts();
    assert.equal(failure(await desk.api.refreshSession({ sessionId })), 'DPOP_KEY_MISSING');
    assert.equal(failure(await desk.api.getUserinfo({ sessionId })), 'DPOP_KEY_MISSING');
    assert.deepEqual(await idp.counts(), {}, 'no request reached the provider (no bearer fallback)');
    const view = value(await desk.api.getSession({ sessionId }));
    assert.equal(view.status, 'refresh-failing');
    assert.equal(view.lastError?.code, 'DPOP_KEY_MISSING');
    assert.equal(view.hasRefreshToken, true, 'the session is kept');
    assert.equal((await entry(sessionId)).refreshToken, withoutKey.refreshToken, 'the refresh token is kept');
    value(await desk.api.signOut({ sessionId }));
  } finally {
    desk.close();
  }
});

test('signed in again by another process with a new key: this process refreshes with the new key, not the one it held', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-dpop-again-'));
  const first = await open(dir);
  let second: Desk | undefined;
  try {
    const { session } = await signIn(first, idp.issuer);
    value(await first.api.getUserinfo({ sessionId: session.id }));
    second = await open(dir);
    const { session: again } = await signIn(second, idp.issuer);
    assert.equal(again.id, session.id, 'the same account and profile: the same session');
    const newKey = await thumbprintOf(await entry(session.id));
    assert.notEqual(newKey, session.dpop?.jkt, 'the new sign-in made a new key');
    const refreshed = value(await first.api.refreshSession({ sessionId: session.id }));
    assert.equal(refreshed.dpop?.jkt, newKey);
    assert.equal(refreshed.status, 'active');
    value(await first.api.signOut({ sessionId: session.id }));
  } finally {
    first.close();
    second?.close();
  }
});

test('a JWT access token (RFC 9068) from the real provider: cnf.jkt equals the session key\'s thumbprint, the view says so', { timeout: 90_000 }, async () => {
  const jwtIdp = await startTestIdp({ dpop: { nonces: true }, jwtAccessTokens: { resource: API, scope: 'api:read' } });
  const desk = await open(await mkdtemp(join(tmpdir(), 'oidc-desk-dpop-jwt-')));
  try {
    const { session } = await signIn(desk, jwtIdp.issuer, 'openid offline_access api:read');
    const key = await thumbprintOf(await entry(session.id));
    assert.deepEqual(session.dpop, { jkt: key, accessTokenBinding: 'cnf' });
    assert.equal(session.accessToken?.format, 'jwt');
    const token = await accessToken(desk, session.id);
    const [, payload = ''] = token.split('.');
    assert.deepEqual((JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { cnf?: unknown }).cnf, { jkt: key });
    value(await desk.api.signOut({ sessionId: session.id }));
  } finally {
    desk.close();
    await jwtIdp.stop();
  }
});

/** A hostile provider that approves at once and answers the code exchange with `token_type` and an access token of the test's choosing. */
async function hostileSignIn(accessTokenFor: (sign: (claims: Record<string, unknown>) => Promise<string>) => Promise<string>, tokenType: string): Promise<{ code: string; tokenRequests: number }> {
  const hostile = await startHostileIdp({
    autoApprove: true,
    token: async (form, h) => {
      const nonce = h.authorizationOf(form.get('code'))?.get('nonce') ?? undefined;
      const access = await accessTokenFor((claims) => h.signIdToken({ sub: 'mallory-at', ...claims }));
      recordSecrets(access);
      return { json: { access_token: access, token_type: tokenType, expires_in: 300, id_token: await h.signIdToken({ sub: 'mallory', nonce }) } };
    },
  });
  const desk = await open(await mkdtemp(join(tmpdir(), 'oidc-desk-dpop-hostile-')));
  try {
    value(await desk.api.addProfile({ profile: { name: 'h', issuer: hostile.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', scopes: 'openid', dpop: true } }));
    const started = value(await desk.api.startSignIn({ profile: 'h' })) as SignInStart;
    const done = signInOutcome(desk, started.flowId);
    const answer = await fetch(started.authorizationUrl, { redirect: 'manual' });
    const redirect = answer.headers.get('location') ?? '';
    recordSecrets(...redirectSecrets(redirect));
    await desk.deliverCallback(redirect);
    const event = await done;
    assert.equal(value(await desk.api.listSessions()).length, 0, 'no session was made');
    return { code: event.type === 'sign-in-failed' ? event.error.code : event.type, tokenRequests: hostile.counts['/token'] ?? 0 };
  } finally {
    desk.close();
    await hostile.stop();
  }
}

test('hostile provider: an access token whose cnf.jkt names another key is refused (DPOP_BINDING_MISMATCH)', { timeout: 30_000 }, async () => {
  const { publicKey } = await generateKeyPair('ES256');
  const other = await calculateJwkThumbprint(await exportJWK(publicKey));
  const result = await hostileSignIn((sign) => sign({ cnf: { jkt: other } }), 'DPoP');
  assert.deepEqual(result, { code: 'DPOP_BINDING_MISMATCH', tokenRequests: 1 });
});

test('hostile provider: a bearer token answered to a DPoP request is refused (DPOP_NOT_BOUND)', { timeout: 30_000 }, async () => {
  const result = await hostileSignIn(async () => `opaque-${Date.now()}-bearer-token-value`, 'Bearer');
  assert.deepEqual(result, { code: 'DPOP_NOT_BOUND', tokenRequests: 1 });
});

/**
 * The session service against the real local provider: sign-in into a session, refresh with rotation
 * (the provider then refuses the old token), single-flight refresh, invalid_grant, userinfo,
 * introspection after revocation, and a restart over the same index and secret store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { ExchangeLog } from '../../src-main/core/http/exchange-log.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../harness/browser.ts';
import { DEMO_USERS, startTestIdp } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const { idp, browser, signedIn } = useLocalProvider();
const log = new ExchangeLog();

const realKeychain = process.env.OIDC_DESK_TEST_KEYRING === '1';
const NO_KEYRING = 'no Secret Service here: run through npm test (dbus-run-session + gnome-keyring)';
const services: KeytarSecretStore[] = [];

/** The real keychain (gnome-keyring) when the runner provides one; else the in-memory store standing in for it. */
function secretStore(): SecretStore {
  if (!realKeychain) {
    const memory = new MemorySecretStore();
    Object.defineProperty(memory, 'persistent', { value: true });
    return memory;
  }
  const store = new KeytarSecretStore({ service: `OIDC Desk test ${process.pid} ${services.length}` });
  services.push(store);
  return store;
}

const storeOf = new WeakMap<SessionService, SecretStore>();

async function openService(dataDir: string, secrets: SecretStore): Promise<SessionService> {
  const service = await SessionService.open({ dataDir, secrets, fetch: createHttpClient({ log }), now: Date.now });
  storeOf.set(service, secrets);
  return service;
}

/** The refresh token as stored in the keychain (no front can ever read it: the test reads the store itself). */
async function storedRefreshToken(service: SessionService, id: string): Promise<string> {
  const read = await storeOf.get(service)?.get(id);
  assert.equal(read?.kind, 'found', 'the refresh token is in the keychain');
  const value = read?.kind === 'found' ? read.secret.refreshToken : '';
  recordSecrets(value);
  return value;
}

test('sign-in makes a session whose views hold no refresh token', async () => {
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  const view = await signedIn(service);
  assert.equal(view.subject, DEMO_USERS[0]!.sub);
  assert.equal(view.status, 'active');
  assert.equal(view.storage, 'keychain');
  assert.equal(view.accessToken?.format, 'opaque');
  assert.equal(view.idToken?.report?.kind, 'jwt');
  const rt = await storedRefreshToken(service, view.id);
  assert.ok(!JSON.stringify(service.list()).includes(rt), 'no view contains the refresh token');
  const idToken = (await service.reveal(view.id, 'id')).value;
  const nonce = (JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as { nonce: string }).nonce;
  recordSecrets(idToken, nonce);
  assert.ok(nonce && !JSON.stringify(service.list()).includes(nonce), 'no view contains the nonce');
  assert.ok(!JSON.stringify(service.list()).includes(idToken), 'no view contains the ID token itself');
});

test('refresh rotates; the provider refuses the old refresh token afterwards', async () => {
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  const view = await signedIn(service);
  const before = await storedRefreshToken(service, view.id);
  await service.refresh(view.id);
  const afterRt = await storedRefreshToken(service, view.id);
  assert.notEqual(afterRt, before, 'the new refresh token replaced the old one in the store');
  // Reuse of the old one, straight at the provider: refused (and it revokes the grant at oidc-provider,
  // which is why the service must never send it again).
  const as = await oauth.processDiscoveryResponse(new URL(idp.issuer), await oauth.discoveryRequest(new URL(idp.issuer), { [oauth.allowInsecureRequests]: true }));
  const res = await oauth.refreshTokenGrantRequest(as, { client_id: 'oidc-desk' }, oauth.None(), before, { [oauth.allowInsecureRequests]: true });
  await assert.rejects(oauth.processRefreshTokenResponse(as, { client_id: 'oidc-desk' }, res), (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant');
});

test('20 concurrent refresh triggers: exactly one token request, every caller gets the result', async () => {
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  const view = await signedIn(service);
  await idp.resetCounts();
  const results = await Promise.all(Array.from({ length: 20 }, () => service.refresh(view.id)));
  assert.equal((await idp.counts())['token:refresh_token'], 1);
  assert.equal(new Set(results.map((r) => r.accessToken?.fingerprint)).size, 1);
});

test('invalid_grant: the stored refresh token is deleted, the session needs a sign-in, no retry loop', async () => {
  const secrets = secretStore();
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secrets);
  const view = await signedIn(service);
  // Revoke the refresh token behind the service's back.
  const rt = await storedRefreshToken(service, view.id);
  const as = await oauth.processDiscoveryResponse(new URL(idp.issuer), await oauth.discoveryRequest(new URL(idp.issuer), { [oauth.allowInsecureRequests]: true }));
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, { client_id: 'oidc-desk' }, oauth.None(), rt, { [oauth.allowInsecureRequests]: true }));
  await idp.resetCounts();
  await assert.rejects(service.refresh(view.id), { code: 'SIGN_IN_NEEDED' });
  assert.equal(service.view(view.id).status, 'sign-in-needed');
  assert.equal((await secrets.get(view.id)).kind, 'absent', 'the refresh token is gone from the store');
  await assert.rejects(service.refresh(view.id), { code: 'SIGN_IN_NEEDED' });
  assert.equal((await idp.counts())['token:refresh_token'], 1, 'no second request after invalid_grant');
});

test('userinfo: sub checked, claims compared with the ID token', async () => {
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  const view = await signedIn(service);
  const info = await service.userinfo(view.id);
  assert.equal(info.claims.sub, DEMO_USERS[0]!.sub);
  assert.equal(info.comparison.find((c) => c.claim === 'email')?.relation, 'same');
});

test('sign-out revokes: introspection of the old access token then shows it inactive', async () => {
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  const view = await signedIn(service);
  const at = (await service.reveal(view.id, 'access')).value;
  recordSecrets(at);
  assert.equal((await service.introspect(view.id, 'access')).active, true);
  const out = await service.signOut(view.id);
  assert.equal(out.revoked, true);
  assert.throws(() => service.view(view.id), { code: 'SESSION_NOT_FOUND' });
  const as = await oauth.processDiscoveryResponse(new URL(idp.issuer), await oauth.discoveryRequest(new URL(idp.issuer), { [oauth.allowInsecureRequests]: true }));
  const res = await oauth.introspectionRequest(as, { client_id: 'oidc-desk' }, oauth.None(), at, { [oauth.allowInsecureRequests]: true });
  assert.equal((await oauth.processIntrospectionResponse(as, { client_id: 'oidc-desk' }, res)).active, false);
});

test('restart: a new service over the same index and keychain keeps every session usable', { skip: realKeychain ? false : NO_KEYRING }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-s-'));
  const secrets = secretStore();
  const first = await openService(dir, secrets);
  const a = await signedIn(first, DEMO_USERS[0]);
  const b = await signedIn(first, DEMO_USERS[1]);
  first.close();
  const second = await openService(dir, secrets);
  assert.deepEqual(second.list().map((s) => s.id).sort(), [a.id, b.id].sort());
  assert.equal(second.view(a.id).accessToken, undefined, 'access tokens are not persisted');
  for (const id of [a.id, b.id]) {
    const refreshed = await second.refresh(id);
    assert.equal(refreshed.status, 'active');
    assert.ok(refreshed.idToken, 'a refreshed ID token passed the §12.2 checks against the stored binding');
  }
});

test('sign-out with RP-initiated logout: the browser comes back to our scheme with the same state, once', async () => {
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  const view = await signedIn(service);
  const out = await service.signOut(view.id, { endSession: true });
  assert.equal(out.revoked, true);
  assert.ok(out.endSession);
  const url = new URL(out.endSession.url);
  assert.ok(url.searchParams.get('id_token_hint'));
  assert.equal(url.searchParams.get('post_logout_redirect_uri'), 'dev.oidcdesk:/logout');
  const chrome = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
  let redirect: string;
  try {
    const page = await chrome.newPage();
    const back = page.waitForRequest((r) => r.url().startsWith('dev.oidcdesk:/logout'), { timeout: 15_000 });
    page.setDefaultTimeout(15_000);
    await page.goto(url.href, { waitUntil: 'commit' }).catch(() => undefined);
    // With a browser session the provider asks to confirm; without one it returns at once.
    const step = await Promise.race([back.then(() => 'back'), page.locator('#logout-confirm').waitFor().then(() => 'confirm')]);
    if (step === 'confirm') await page.locator('#logout-confirm').click();
    redirect = (await back).url();
  } finally {
    await chrome.close();
  }
  assert.equal(new URL(redirect).searchParams.get('state'), url.searchParams.get('state'));
  const forged = new URL(redirect);
  forged.searchParams.set('state', 'forged');
  await assert.rejects(service.engine.router.handle(forged.href), { code: 'CALLBACK_STATE_UNKNOWN' });
  await service.engine.router.handle(redirect);
  await out.endSession.result;
  await assert.rejects(service.engine.router.handle(redirect), { code: 'CALLBACK_STATE_UNKNOWN' }, 'the logout return is single-use');
});

test('automatic refresh shortly before expiry, announced to subscribers (no browser involved)', async () => {
  const shortLived = await startTestIdp({ ttl: { accessToken: 4 } });
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  try {
    const profile = parseProfile({ name: 'short', issuer: shortLived.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid offline_access', extraParams: { prompt: 'consent' } });
    const { started, session } = await service.signIn(profile);
    const redirect = await browser.signIn(started.authorizationUrl, { username: DEMO_USERS[0]!.username, password: DEMO_USERS[0]!.password, redirectPrefix: 'dev.oidcdesk:/callback' });
    recordSecrets(...redirectSecrets(redirect));
    await service.engine.router.handle(redirect);
    const view = await session;
    const refreshed = new Promise<string | undefined>((resolve) => {
      const stop = service.subscribe((event) => {
        if (event.type === 'session-updated' && !event.session.refreshing && event.session.accessToken?.fingerprint !== view.accessToken?.fingerprint) {
          stop();
          resolve(event.session.accessToken?.fingerprint);
        }
      });
    });
    service.startScheduler();
    assert.ok(await refreshed, 'a new access token arrived by itself');
    assert.equal((await shortLived.counts())['token:refresh_token'], 1);
  } finally {
    service.close();
    await shortLived.stop();
  }
});

test('signing in again as the same account keeps the session id and revokes the replaced refresh token', { skip: realKeychain ? false : NO_KEYRING }, async () => {
  const service = await openService(await mkdtemp(join(tmpdir(), 'oidc-desk-s-')), secretStore());
  const first = await signedIn(service);
  const oldRt = await storedRefreshToken(service, first.id);
  const second = await signedIn(service);
  assert.equal(second.id, first.id);
  assert.equal(service.list().length, 1);
  const as = await oauth.processDiscoveryResponse(new URL(idp.issuer), await oauth.discoveryRequest(new URL(idp.issuer), { [oauth.allowInsecureRequests]: true }));
  const res = await oauth.introspectionRequest(as, { client_id: 'oidc-desk' }, oauth.None(), oldRt, { [oauth.allowInsecureRequests]: true });
  assert.equal((await oauth.processIntrospectionResponse(as, { client_id: 'oidc-desk' }, res)).active, false, 'the replaced refresh token is no longer active');
  assert.notEqual(await storedRefreshToken(service, first.id), oldRt);
});

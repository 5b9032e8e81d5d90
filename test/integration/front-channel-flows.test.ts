/**
 * The implicit and hybrid flows (legacy) end to end through openDesk() and DeskApi: the local oidc-provider
 * with the five response types, Chromium signing in, both redirect kinds (the app's scheme answered in the
 * fragment, loopback answered with the provider's own auto-submitting form post), the real keychain when
 * the run has one. Then what a compliant provider never sends (a small hostile provider signing ID tokens
 * with a key it publishes): a missing c_hash, a wrong at_hash, a wrong nonce, another subject at the token
 * endpoint; a code flow's response moved into the fragment; stray and oversized form posts to the loopback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, DeviceSignInStart, Result, SessionView, SignInDone, SignInStart } from '../../src-main/core/contract.ts';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { HYBRID_RESPONSE_TYPES, IMPLICIT_RESPONSE_TYPES, type FrontChannelResponseType } from '../../src-main/core/front-channel-flows.ts';
import { MAX_FORM_POST_BYTES } from '../../src-main/core/oauth/loopback.ts';
import { SignInEngine } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { openBrowser, type BrowserAgent } from '../harness/browser.ts';
import { FRONT_CHANNEL_CLIENT_ID, startFrontChannelIdp } from '../harness/front-channel-idp.ts';
import { startHostileIdp, type HostileIdp } from '../harness/hostile-idp.ts';
import { DEMO_USERS, type TestIdp } from '../harness/idp.ts';
import { openClockedDesk, testKeychain, value, type ClockedDesk } from '../harness/clocked-desk.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const alice = DEMO_USERS[0]!;
let idp: TestIdp;
let browser: BrowserAgent;

before(async () => {
  idp = await startFrontChannelIdp();
  browser = await openBrowser().catch(async (error: unknown) => {
    await idp.stop();
    throw error;
  });
});
after(async () => {
  await browser?.close();
  await idp?.stop();
});

function errorCode<T>(result: Result<T>): string {
  assert.equal(result.ok, false, 'the operation must fail');
  return (result as { ok: false; error: { code: string } }).error.code;
}

function started(answer: SignInStart | SignInDone | DeviceSignInStart): SignInStart {
  assert.ok(!('session' in answer) && !('device' in answer), 'the sign-in waits for the browser');
  return answer;
}

/** The session announced for a sign-in (`sign-in-completed`), or the failure's code. */
function outcome(o: ClockedDesk, flowId: string): Promise<{ session?: SessionView; code?: string; strays: number }> {
  return new Promise((resolve) => {
    const check = (event: DeskEvent): boolean => {
      if (event.type === 'sign-in-completed' && event.flowId === flowId) resolve({ session: event.session, strays: event.strayRequests });
      else if (event.type === 'sign-in-failed' && event.flowId === flowId) resolve({ code: event.error.code, strays: event.strayRequests });
      else return false;
      return true;
    };
    if (o.events.some(check)) return;
    o.desk.api.subscribe((event) => void check(event));
  });
}

/** Signs alice in through Chromium: the app's scheme delivered as a deep link, or the loopback form post. */
async function signIn(o: ClockedDesk, profile: string, redirect: 'app-scheme' | 'loopback'): Promise<{ start: SignInStart; session: SessionView }> {
  const start = started(value(await o.desk.api.startSignIn({ profile })));
  const done = outcome(o, start.flowId);
  const prefix = redirect === 'loopback' ? start.redirectUri : 'dev.oidcdesk:/callback';
  const url = await browser.signIn(start.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: prefix });
  recordSecrets(...redirectSecrets(url));
  if (redirect === 'app-scheme') {
    assert.ok(new URL(url).hash.length > 1, 'the response came in the fragment');
    value(await o.desk.deliverCallback(url));
  }
  const result = await done;
  if (result.session === undefined) assert.fail(`the sign-in failed: ${result.code ?? '?'}`);
  return { start, session: result.session };
}

const RESPONSE_TYPES: readonly FrontChannelResponseType[] = [...IMPLICIT_RESPONSE_TYPES, ...HYBRID_RESPONSE_TYPES];

test('each of the five response types, on the app\'s scheme (fragment) and on loopback (form post): verified, stored, labelled legacy', { timeout: 240_000 }, async () => {
  const o = await openClockedDesk(await mkdtemp(join(tmpdir(), 'oidc-desk-front-')), testKeychain('front-channel test'));
  try {
    for (const responseType of RESPONSE_TYPES) {
      for (const redirect of ['app-scheme', 'loopback'] as const) {
        const what = `${responseType} on ${redirect}`;
        const hybrid = responseType.startsWith('code');
        const name = `${hybrid ? 'hy' : 'im'}-${responseType.replaceAll(' ', '-')}-${redirect}`;
        const profile = value(await o.desk.api.addProfile({ profile: {
          name, issuer: idp.issuer, clientId: FRONT_CHANNEL_CLIENT_ID, allowHttpLoopback: true, redirect,
          flow: hybrid ? 'hybrid' : 'implicit', responseType,
          scopes: hybrid ? 'openid profile email offline_access' : 'openid profile email', extraParams: { prompt: 'consent' },
        } }));
        assert.match(profile.warning ?? '', /RFC 9700/, `${what}: the profile carries the legacy warning`);
        await idp.resetCounts();
        const { start, session } = await signIn(o, name, redirect);

        const asked = new URL(start.authorizationUrl).searchParams;
        assert.equal(asked.get('response_type'), responseType, what);
        assert.equal(asked.get('response_mode'), redirect === 'loopback' ? 'form_post' : 'fragment', what);
        assert.ok((asked.get('nonce') ?? '').length >= 32, `${what}: a fresh nonce`);
        assert.ok((asked.get('state') ?? '').length >= 32, `${what}: a state`);
        assert.equal(asked.get('code_challenge_method'), hybrid ? 'S256' : null, `${what}: PKCE only with a code to redeem`);

        assert.equal(session.flow, hybrid ? 'hybrid' : 'implicit', what);
        assert.equal(session.subject, alice.sub, what);
        assert.equal(session.status, 'active', what);
        assert.equal(session.idToken?.report?.kind === 'jwt' && session.idToken.report.valid, true, `${what}: the ID token's report passed`);
        assert.deepEqual(session.legacy === undefined ? undefined : { ...session.legacy, warning: undefined }, {
          flow: hybrid ? 'hybrid' : 'implicit',
          responseType,
          warning: undefined,
          accessToken: hybrid ? 'token-endpoint' : responseType === 'id_token' ? 'none' : 'front-channel',
          idToken: hybrid ? 'token-endpoint' : 'front-channel',
          frontChannelIdTokenVerified: responseType.includes('id_token'),
        }, what);
        const counts = await idp.counts();
        assert.equal(counts['token:authorization_code'], hybrid ? 1 : undefined, `${what}: the code is redeemed once, and only in the hybrid flow`);
        assert.equal(session.hasRefreshToken, hybrid, `${what}: a refresh token only from the hybrid flow's exchange (offline_access)`);

        if (responseType === 'id_token') {
          assert.equal(session.accessToken, undefined);
          assert.equal(errorCode(await o.desk.api.revealToken({ sessionId: session.id, type: 'access' })), 'NO_ACCESS_TOKEN');
        } else {
          const access = value(await o.desk.api.revealToken({ sessionId: session.id, type: 'access', minValiditySeconds: 0 }));
          recordSecrets(access.value);
          assert.ok(access.value.length > 0);
        }
        recordSecrets(value(await o.desk.api.revealToken({ sessionId: session.id, type: 'id' })).value);
        if (hybrid) {
          const refreshed = value(await o.desk.api.refreshSession({ sessionId: session.id }));
          assert.equal(refreshed.status, 'active', `${what}: a hybrid session refreshes like a code-flow session`);
        }
      }
    }
  } finally {
    o.desk.close();
  }
});

test('an implicit session: its tokens serve another process from the cache, then "sign in again" once they run out, with no request', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-front-'));
  const secrets = testKeychain('front-channel test');
  const first = await openClockedDesk(dataDir, secrets);
  let second: ClockedDesk | undefined;
  try {
    value(await first.desk.api.addProfile({ profile: { name: 'im', issuer: idp.issuer, clientId: FRONT_CHANNEL_CLIENT_ID, allowHttpLoopback: true, redirect: 'loopback', flow: 'implicit', responseType: 'id_token token', scopes: 'openid profile' } }));
    const { session } = await signIn(first, 'im', 'loopback');
    assert.equal(session.hasRefreshToken, false);
    assert.equal(session.storage, 'none');
    const mine = value(await first.desk.api.revealToken({ sessionId: session.id, type: 'access', minValiditySeconds: 0 }));
    recordSecrets(mine.value);

    // Another process (a later CLI command, say) opens the same data directory and keychain.
    second = await openClockedDesk(dataDir, secrets);
    await idp.resetCounts();
    const theirs = value(await second.desk.api.revealToken({ sessionId: session.id, type: 'access', minValiditySeconds: 0 }));
    assert.equal(theirs.value, mine.value, 'another process reads the token from the encrypted cache');
    const listed = value(await second.desk.api.getSession({ sessionId: session.id }));
    assert.equal(listed.status, 'active', 'not "session-only": every process can use it until it runs out');
    assert.equal(listed.legacy?.accessToken, 'front-channel');

    // Past the access token's expiry: no refresh token, no silent sign-in.
    for (const o of [first, second]) {
      if (o === undefined) continue;
      o.offset = 24 * 60 * 60 * 1000;
      assert.equal(errorCode(await o.desk.api.revealToken({ sessionId: session.id, type: 'access' })), 'SIGN_IN_NEEDED');
      assert.equal(errorCode(await o.desk.api.refreshSession({ sessionId: session.id })), 'SIGN_IN_NEEDED');
      assert.equal(value(await o.desk.api.getSession({ sessionId: session.id })).status, 'expired');
    }
    assert.deepEqual(await idp.counts(), {}, 'nothing was sent to the provider');
    value(await first.desk.api.signOut({ sessionId: session.id }));
  } finally {
    first.desk.close();
    second?.desk.close();
  }
});

test('a code flow\'s response moved into the fragment is refused without a token request; its own callback still completes it', { timeout: 60_000 }, async () => {
  const o = await openClockedDesk(await mkdtemp(join(tmpdir(), 'oidc-desk-front-')), testKeychain('front-channel test'));
  try {
    value(await o.desk.api.addProfile({ profile: { name: 'code', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', scopes: 'openid' } }));
    const start = started(value(await o.desk.api.startSignIn({ profile: 'code' })));
    const done = outcome(o, start.flowId);
    const url = await browser.signIn(start.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: 'dev.oidcdesk:/callback' });
    recordSecrets(...redirectSecrets(url));
    await idp.resetCounts();
    const moved = `dev.oidcdesk:/callback#${new URL(url).search.slice(1)}`;
    assert.equal(errorCode(await o.desk.deliverCallback(moved)), 'CALLBACK_STATE_MISSING');
    assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no token request');
    value(await o.desk.deliverCallback(url));
    assert.equal((await done).session?.subject, alice.sub);
  } finally {
    o.desk.close();
  }
});

/** A POST to the loopback listener: status only. */
function postForm(redirectUri: string, body: string, contentLength = Buffer.byteLength(body)): Promise<number> {
  const target = new URL(redirectUri);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(contentLength) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve(-1) : reject(error)));
    req.end(body);
  });
}

test('form post on loopback: stray posts and one over the size limit are refused and counted; the sign-in goes on and completes', { timeout: 60_000 }, async () => {
  const o = await openClockedDesk(await mkdtemp(join(tmpdir(), 'oidc-desk-front-')), testKeychain('front-channel test'));
  try {
    value(await o.desk.api.addProfile({ profile: { name: 'im', issuer: idp.issuer, clientId: FRONT_CHANNEL_CLIENT_ID, allowHttpLoopback: true, redirect: 'loopback', flow: 'implicit', responseType: 'id_token token', scopes: 'openid' } }));
    const start = started(value(await o.desk.api.startSignIn({ profile: 'im' })));
    const state = new URL(start.authorizationUrl).searchParams.get('state') ?? '';
    recordSecrets(state);
    const done = outcome(o, start.flowId);
    assert.equal(await postForm(start.redirectUri, 'id_token=a.b.c&access_token=forged&token_type=Bearer'), 400, 'no state');
    assert.equal(await postForm(start.redirectUri, 'id_token=a.b.c&state=another-state'), 400, 'another state');
    const big = `state=${encodeURIComponent(state)}&id_token=${'a'.repeat(MAX_FORM_POST_BYTES)}`;
    const tooLarge = await postForm(start.redirectUri, big);
    assert.ok(tooLarge === 413 || tooLarge === -1, `over the size limit: 413 (or the connection closed), got ${tooLarge}`);
    const url = await browser.signIn(start.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: start.redirectUri });
    assert.equal(url, start.redirectUri, 'the provider posted its form to the redirect URI itself');
    const result = await done;
    assert.equal(result.session?.subject, alice.sub, 'the sign-in completed after the strays');
    assert.equal(result.strays, 3, 'every refused post was counted');
  } finally {
    o.desk.close();
  }
});

/** `at_hash` / `c_hash` of a value for an RS256 ID token: the left half of its SHA-256, base64url. */
function halfHash(value: string): string {
  return createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** A hostile provider and a sign-in started at it, waiting on the app's scheme, with its state and nonce. */
async function hostileSignIn(hostile: HostileIdp, flow: 'implicit' | 'hybrid', responseType: FrontChannelResponseType): Promise<{ engine: SignInEngine; result: Promise<unknown>; state: string; nonce: string; iss: string }> {
  const engine = new SignInEngine({ fetch: createHttpClient({ timeoutMs: 5000 }), now: Date.now });
  const start = await engine.start(parseProfile({ name: 'h', issuer: hostile.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid', flow, responseType }));
  const asked = new URL(start.authorizationUrl).searchParams;
  const state = asked.get('state') ?? '';
  const nonce = asked.get('nonce') ?? '';
  recordSecrets(state, nonce);
  return { engine, result: start.result, state, nonce, iss: encodeURIComponent(hostile.issuer) };
}

test('hostile provider: a missing c_hash, a wrong c_hash, a wrong at_hash, a missing at_hash and a wrong nonce are refused with their codes; no token request', { timeout: 60_000 }, async () => {
  const hostile = await startHostileIdp({ token: () => ({ status: 500, body: 'no token request is expected' }) });
  try {
    const CODE = 'code-hostile-0123456789abcdefghijkl';
    const ACCESS = 'at-hostile-0123456789abcdefghijklmn';
    recordSecrets(CODE, ACCESS);
    const cases: { flow: 'implicit' | 'hybrid'; type: FrontChannelResponseType; claims: (nonce: string) => Record<string, unknown>; extra: string; code: string }[] = [
      { flow: 'hybrid', type: 'code id_token', claims: (nonce) => ({ sub: 'mallory', nonce }), extra: `code=${CODE}`, code: 'ID_TOKEN_C_HASH_MISSING' },
      { flow: 'hybrid', type: 'code id_token', claims: (nonce) => ({ sub: 'mallory', nonce, c_hash: halfHash('another-code') }), extra: `code=${CODE}`, code: 'ID_TOKEN_C_HASH_MISMATCH' },
      { flow: 'implicit', type: 'id_token token', claims: (nonce) => ({ sub: 'mallory', nonce, at_hash: halfHash('another-access-token') }), extra: `access_token=${ACCESS}&token_type=Bearer`, code: 'ID_TOKEN_AT_HASH_MISMATCH' },
      { flow: 'implicit', type: 'id_token token', claims: (nonce) => ({ sub: 'mallory', nonce }), extra: `access_token=${ACCESS}&token_type=Bearer`, code: 'ID_TOKEN_AT_HASH_MISSING' },
      { flow: 'implicit', type: 'id_token', claims: () => ({ sub: 'mallory', nonce: 'a-nonce-of-another-sign-in' }), extra: '', code: 'ID_TOKEN_NONCE_MISMATCH' },
      { flow: 'hybrid', type: 'code id_token token', claims: (nonce) => ({ sub: 'mallory', nonce, c_hash: halfHash(CODE), at_hash: halfHash('x') }), extra: `code=${CODE}&access_token=${ACCESS}&token_type=Bearer`, code: 'ID_TOKEN_AT_HASH_MISMATCH' },
    ];
    for (const c of cases) {
      const { engine, result, state, nonce } = await hostileSignIn(hostile, c.flow, c.type);
      const idToken = await hostile.signIdToken(c.claims(nonce));
      recordSecrets(idToken);
      const url = `dev.oidcdesk:/callback#${c.extra === '' ? '' : `${c.extra}&`}id_token=${idToken}&state=${state}`;
      await assert.rejects(engine.router.handle(url), { code: c.code }, `${c.type}: ${c.code}`);
      await assert.rejects(result, { code: c.code });
      assert.equal(engine.pendingCount, 0, 'the flow is gone');
      await assert.rejects(engine.router.handle(url), { code: 'CALLBACK_INVALID' }, 'a replay finds no flow');
    }
    assert.equal(hostile.counts['/token'], undefined, 'no code was ever redeemed');
  } finally {
    await hostile.stop();
  }
});

test('hostile provider: the hybrid token endpoint\'s ID token names another subject than the redirect\'s: ID_TOKEN_SUBJECT_MISMATCH', { timeout: 60_000 }, async () => {
  let expectedNonce = '';
  const hostile = await startHostileIdp({
    token: async (form, self) => {
      recordSecrets(form.get('code_verifier'));
      const accessToken = `at-${Math.random().toString(36).slice(2)}-0123456789abcdef`;
      recordSecrets(accessToken);
      const idToken = await self.signIdToken({ sub: 'someone-else', nonce: expectedNonce });
      recordSecrets(idToken);
      return { json: { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken } };
    },
  });
  try {
    const CODE = 'code-hostile-subject-0123456789abcdef';
    recordSecrets(CODE);
    const { engine, result, state, nonce, iss } = await hostileSignIn(hostile, 'hybrid', 'code id_token');
    expectedNonce = nonce;
    const idToken = await hostile.signIdToken({ sub: 'mallory', nonce, c_hash: halfHash(CODE) });
    recordSecrets(idToken);
    await assert.rejects(engine.router.handle(`dev.oidcdesk:/callback#code=${CODE}&id_token=${idToken}&state=${state}&iss=${iss}`), { code: 'ID_TOKEN_SUBJECT_MISMATCH' });
    await assert.rejects(result, { code: 'ID_TOKEN_SUBJECT_MISMATCH' });
    assert.equal(hostile.counts['/token'], 1, 'the code was redeemed once, after the redirect\'s ID token passed');
  } finally {
    await hostile.stop();
  }
});

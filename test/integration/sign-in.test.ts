/**
 * Full sign-ins through the core against a real OpenID provider (oidc-provider on 127.0.0.1) and a
 * real browser (Chromium): custom scheme and loopback, and every callback case of SECURITY.md,
 * counting token requests at the provider.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeskError } from '../../src-main/core/errors.ts';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { ExchangeLog } from '../../src-main/core/http/exchange-log.ts';
import { SignInEngine } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile, type Profile } from '../../src-main/core/profile.ts';
import { DEMO_CLIENT, DEMO_USERS, generateDemoJwks, startTestIdp } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { freePort, holdPort } from '../harness/ports.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const alice = DEMO_USERS[0]!;
const { idp, browser } = useLocalProvider();
const log = new ExchangeLog();

function profile(overrides: Record<string, unknown> = {}): Profile {
  return parseProfile({
    name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true,
    scopes: 'openid profile email offline_access', extraParams: { prompt: 'consent' }, ...overrides,
  });
}

function engine(): SignInEngine {
  return new SignInEngine({ fetch: createHttpClient({ log }), now: Date.now });
}

/** Runs the browser part and returns the redirect URL the app would receive. */
async function authorize(url: string, redirectPrefix: string, consent: 'approve' | 'deny' = 'approve'): Promise<string> {
  const redirect = await browser.signIn(url, { username: alice.username, password: alice.password, redirectPrefix, consent });
  recordSecrets(...redirectSecrets(redirect));
  return redirect;
}

async function tokenRequests(): Promise<number> {
  return (await idp.counts())['token:authorization_code'] ?? 0;
}

describe('sign-in round trips', () => {
  test('custom scheme: discovery to verified tokens', async () => {
    const e = engine();
    const started = await e.start(profile());
    assert.equal(started.redirectUri, 'dev.oidcdesk:/callback');
    const authUrl = new URL(started.authorizationUrl);
    assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authUrl.searchParams.get('nonce'));
    const redirect = await authorize(started.authorizationUrl, 'dev.oidcdesk:/callback');
    await e.router.handle(redirect);
    const { tokens } = await started.result;
    recordSecrets(tokens.accessToken, tokens.idToken, tokens.refreshToken);
    assert.equal(tokens.tokenType.toLowerCase(), 'bearer');
    assert.ok(tokens.refreshToken, 'offline_access gives a refresh token');
    assert.equal(tokens.idTokenClaims?.sub, alice.sub);
    assert.equal(tokens.idTokenReport?.kind, 'jwt');
    if (tokens.idTokenReport?.kind === 'jwt') {
      assert.equal(tokens.idTokenReport.valid, true);
      const byId = Object.fromEntries(tokens.idTokenReport.checks.map((c) => [c.id, c.result]));
      assert.equal(byId.signature, 'pass');
      assert.equal(byId.nonce, 'pass');
      assert.equal(byId.iss, 'pass');
      assert.equal(byId.aud, 'pass');
    }
  });

  test('loopback: 127.0.0.1 on an ephemeral port, closed after the callback', async () => {
    const e = engine();
    const started = await e.start(profile({ redirect: 'loopback' }));
    assert.match(started.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    await authorize(started.authorizationUrl, started.redirectUri);
    const { tokens } = await started.result;
    recordSecrets(tokens.accessToken, tokens.idToken, tokens.refreshToken);
    assert.equal(tokens.idTokenClaims?.sub, alice.sub);
    await assert.rejects(fetch(started.redirectUri), 'the receiver is closed after the first valid callback');
  });

  test('a key rotation at the provider: unknown kid, one JWKS refetch, accepted', async () => {
    const jwksA = await generateDemoJwks();
    const jwksB = await generateDemoJwks();
    const first = await startTestIdp({ jwks: jwksA });
    const port = first.port;
    const e = engine();
    const p = parseProfile({ name: 'rot', issuer: first.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid', redirect: 'dev.oidcdesk:/callback' });
    try {
      const s1 = await e.start(p);
      await e.router.handle(await authorize(s1.authorizationUrl, 'dev.oidcdesk:/callback'));
      await s1.result;
      assert.equal((await first.counts()).jwks, 1);
    } finally {
      await first.stop();
    }
    const second = await startTestIdp({ port, jwks: { keys: [...jwksB.keys] } });
    try {
      const s2 = await e.start(p);
      await e.router.handle(await authorize(s2.authorizationUrl, 'dev.oidcdesk:/callback'));
      const { tokens } = await s2.result;
      assert.equal(tokens.idTokenReport?.kind === 'jwt' && tokens.idTokenReport.valid, true);
      assert.equal((await second.counts()).jwks, 1, 'exactly one refetch for the unknown kid');
    } finally {
      await second.stop();
    }
  });
});

describe('fixed loopback redirect (providers that compare ports)', () => {
  test('the redirect_uri is exactly the profile\'s, the callback arrives on that port and path', async () => {
    // oidc-provider ignores the loopback port but compares the path: register the path of the fixed URI.
    const custom = await startTestIdp({ clients: [{ ...DEMO_CLIENT, redirect_uris: ['http://127.0.0.1/oauth2/cb', 'http://[::1]/callback'] }] });
    try {
      const e = engine();
      const uris = [`http://127.0.0.1:${await freePort()}/oauth2/cb`];
      const ipv6 = await freePort('::1').then((port) => port, () => undefined);
      if (ipv6 !== undefined) uris.push(`http://[::1]:${ipv6}/callback`);
      for (const uri of uris) {
        const p = parseProfile({ name: 'fixed', issuer: custom.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid', redirect: uri });
        const started = await e.start(p);
        try {
          assert.equal(started.redirectUri, uri);
          assert.equal(new URL(started.authorizationUrl).searchParams.get('redirect_uri'), uri);
          const redirect = await authorize(started.authorizationUrl, uri);
          assert.ok(redirect.startsWith(`${uri}?`), 'the browser came back to exactly that URI');
          const { tokens, redirectUri } = await started.result;
          recordSecrets(tokens.accessToken, tokens.idToken, tokens.refreshToken);
          assert.equal(redirectUri, uri);
          assert.equal(tokens.idTokenClaims?.sub, alice.sub);
          await assert.rejects(fetch(uri), `the receiver on ${uri} is closed after the callback`);
        } finally {
          started.cancel();
        }
      }
    } finally {
      await custom.stop();
    }
  });

  test('a busy fixed port: the sign-in fails at once naming the port, before any authorization request', async () => {
    const squatter = await holdPort();
    try {
      await idp.resetCounts();
      const e = engine();
      await assert.rejects(
        e.start(profile({ redirect: `http://127.0.0.1:${squatter.port}/callback` })),
        (error: unknown) => isDeskError(error, 'LOOPBACK_LISTEN_FAILED') && error.message.includes(`Port ${squatter.port}`),
      );
      assert.equal(e.pendingCount, 0);
      assert.equal((await idp.counts())['authorization'], undefined, 'no authorization request was made');
    } finally {
      await squatter.release();
    }
  });
});

describe('callback cases (SECURITY.md)', () => {
  test('replayed callback: rejected, exactly one token request per state', async () => {
    const e = engine();
    await idp.resetCounts();
    const started = await e.start(profile());
    const redirect = await authorize(started.authorizationUrl, 'dev.oidcdesk:/callback');
    await e.router.handle(redirect);
    await started.result;
    await assert.rejects(e.router.handle(redirect), { code: 'CALLBACK_STATE_UNKNOWN' });
    assert.equal(await tokenRequests(), 1);
  });

  test('wrong or missing state, or no pending flow: rejected before the token endpoint', async () => {
    const e = engine();
    await idp.resetCounts();
    const started = await e.start(profile());
    const redirect = new URL(await authorize(started.authorizationUrl, 'dev.oidcdesk:/callback'));
    const wrong = new URL(redirect);
    wrong.searchParams.set('state', 'not-the-state');
    await assert.rejects(e.router.handle(wrong.href), { code: 'CALLBACK_STATE_UNKNOWN' });
    const missing = new URL(redirect);
    missing.searchParams.delete('state');
    await assert.rejects(e.router.handle(missing.href), { code: 'CALLBACK_STATE_MISSING' });
    await assert.rejects(engine().router.handle(redirect.href), { code: 'CALLBACK_STATE_UNKNOWN' }, 'another engine has no pending flow');
    assert.equal(await tokenRequests(), 0);
    started.cancel();
    await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
  });

  test('iss differs or is missing: rejected before the token endpoint, flow discarded', async () => {
    for (const mutate of [(u: URL) => u.searchParams.set('iss', 'http://127.0.0.1:1'), (u: URL) => u.searchParams.delete('iss')]) {
      const e = engine();
      await idp.resetCounts();
      const started = await e.start(profile());
      const redirect = new URL(await authorize(started.authorizationUrl, 'dev.oidcdesk:/callback'));
      mutate(redirect);
      await assert.rejects(e.router.handle(redirect.href), { code: 'CALLBACK_ISS_MISMATCH' });
      await assert.rejects(started.result, { code: 'CALLBACK_ISS_MISMATCH' });
      assert.equal(e.pendingCount, 0);
      assert.equal(await tokenRequests(), 0);
    }
  });

  test('error=access_denied with valid state: "sign-in cancelled", flow cleared', async () => {
    const e = engine();
    await idp.resetCounts();
    const started = await e.start(profile());
    const redirect = await authorize(started.authorizationUrl, 'dev.oidcdesk:/callback', 'deny');
    await assert.rejects(e.router.handle(redirect), { code: 'SIGN_IN_CANCELLED' });
    await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
    assert.equal(e.pendingCount, 0);
    assert.equal(await tokenRequests(), 0);
  });

  test('400 invalid_grant on the code exchange: error shown, no retry', async () => {
    const e = engine();
    await idp.resetCounts();
    const started = await e.start(profile());
    const redirect = new URL(await authorize(started.authorizationUrl, 'dev.oidcdesk:/callback'));
    redirect.searchParams.set('code', `${redirect.searchParams.get('code')}x`);
    await assert.rejects(e.router.handle(redirect.href), { code: 'INVALID_GRANT' });
    await assert.rejects(started.result, { code: 'INVALID_GRANT' });
    assert.equal(await tokenRequests(), 1);
  });

  test('loopback: a wrong-state callback gets 400 and is counted; the sign-in goes on waiting (more in loopback-strays.test.ts)', async () => {
    const e = engine();
    await idp.resetCounts();
    const started = await e.start(profile({ redirect: 'loopback' }));
    const res = await fetch(`${started.redirectUri}?code=abc&state=forged&iss=${encodeURIComponent(idp.issuer)}`);
    const page = await res.text();
    assert.equal(res.status, 400);
    assert.match(page, /not the sign-in response/);
    assert.ok(!page.includes('forged') && !page.includes('abc'), 'the reply page reflects nothing');
    assert.equal(started.strayRequests, 1);
    assert.equal(e.pendingCount, 1, 'the sign-in still waits');
    assert.equal(await tokenRequests(), 0);
    started.cancel();
    await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
  });

  test('the exchange log holds no secret of these sign-ins', () => {
    const text = JSON.stringify(log.entries());
    assert.ok(log.entries().some((x) => x.url.endsWith('/token')), 'token requests were logged');
    assert.ok(!/"(code|refresh_token|access_token|id_token|code_verifier)":"(?!\*\*\*masked-)/.test(text));
    assert.ok(!/(^|[?&])(code|code_verifier|refresh_token)=(?!\*\*\*masked-)/m.test(log.entries().map((x) => x.requestBody).join('\n')));
  });
});

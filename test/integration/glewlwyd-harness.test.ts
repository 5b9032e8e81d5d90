/**
 * The Glewlwyd harness against the real provider (Debian's glewlwyd 2.7.5) and Chromium, with oauth4webapi
 * only (no product code); and Glewlwyd's habits recorded as assertions, so that a provider update that
 * changes one is noticed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../harness/browser.ts';
import { GLEWLWYD_SCOPES, glewlwydUnavailable, startGlewlwyd } from '../harness/glewlwyd.ts';
import type { Glewlwyd } from '../harness/glewlwyd.ts';
import { signInWithGlewlwyd } from '../harness/glewlwyd-browser.ts';
import type { GlewlwydStep } from '../harness/glewlwyd-browser.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const SCOPE = GLEWLWYD_SCOPES.join(' ');

interface SignedIn {
  readonly tokens: oauth.TokenEndpointResponse;
  readonly idToken: string;
  readonly refreshToken: string;
  readonly claims: oauth.IDToken;
  readonly redirect: URL;
  /** The login app's pages walked through. */
  readonly steps: readonly GlewlwydStep[];
}

function decodePayload(jwt: string): Record<string, unknown> {
  return jose.decodeJwt(jwt) as Record<string, unknown>;
}

describe('Glewlwyd harness: a second, independent OpenID provider', { skip: glewlwydUnavailable() ?? false }, () => {
  let g: Glewlwyd | undefined;
  let browser: Browser | undefined;
  let loopback: Server | undefined;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let first: SignedIn;

  /** One authorization code + PKCE sign-in through Chromium, redeemed with oauth4webapi. */
  async function signIn(): Promise<SignedIn> {
    assert.ok(g && browser);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    recordSecrets(verifier, state, nonce);
    const url = new URL(as.authorization_endpoint ?? '');
    for (const [k, v] of Object.entries({
      response_type: 'code', client_id: g.clientId, redirect_uri: g.redirectUri, scope: SCOPE, state, nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    })) url.searchParams.set(k, v);
    const result = await signInWithGlewlwyd(browser, url.href, { username: g.user.username, password: g.user.password, redirectPrefix: g.redirectUri });
    const redirect = new URL(result.url);
    recordSecrets(...redirectSecrets(redirect.href));
    const params = oauth.validateAuthResponse(as, client, redirect, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, g.redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    recordSecrets(tokens.access_token, tokens.refresh_token, tokens.id_token);
    assert.equal(typeof tokens.id_token, 'string', 'an ID token from the code exchange');
    assert.equal(typeof tokens.refresh_token, 'string', 'a refresh token from the code exchange');
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    assert.ok(claims);
    return { tokens, idToken: tokens.id_token ?? '', refreshToken: tokens.refresh_token ?? '', claims, redirect, steps: result.steps };
  }

  async function refresh(refreshToken: string): Promise<Response> {
    return oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, insecure);
  }

  before(async () => {
    const started = performance.now();
    const [provider, chromium] = await Promise.allSettled([startGlewlwyd(), launchChromium()]);
    if (provider.status === 'fulfilled') g = provider.value;
    if (chromium.status === 'fulfilled') browser = chromium.value;
    if (provider.status === 'rejected') throw provider.reason;
    if (chromium.status === 'rejected') throw chromium.reason;
    assert.ok(g);
    const port = g.redirectPort;
    loopback = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>Done</title><p>Signed in.</p>');
    });
    await new Promise<void>((resolve) => loopback?.listen(port, '127.0.0.1', resolve));
    const issuer = new URL(g.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    client = { client_id: g.clientId };
    process.stderr.write(`# glewlwyd setup: start ${g.setupMs.start} ms, admin API configuration ${g.setupMs.configure} ms (with Chromium launch in parallel: ${Math.round(performance.now() - started)} ms)\n`);
  });

  after(async () => {
    await browser?.close();
    loopback?.closeAllConnections();
    loopback?.close();
    await g?.stop();
  });

  it('serves discovery whose issuer is exactly <origin>/api/<plugin>, PKCE S256 only and required', async () => {
    assert.ok(g);
    assert.match(g.issuer, /^http:\/\/127\.0\.0\.1:\d+\/api\/oidc$/);
    const res = await fetch(`${g.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const meta = (await res.json()) as Record<string, unknown>;
    assert.equal(meta['issuer'], g.issuer, 'no trailing slash added or removed');
    assert.equal(meta['authorization_endpoint'], `${g.issuer}/auth`);
    assert.equal(meta['token_endpoint'], `${g.issuer}/token`);
    assert.equal(meta['userinfo_endpoint'], `${g.issuer}/userinfo`);
    assert.equal(meta['jwks_uri'], `${g.issuer}/jwks`);
    assert.equal(meta['revocation_endpoint'], `${g.issuer}/revoke`);
    assert.equal(meta['introspection_endpoint'], `${g.issuer}/introspect`);
    assert.deepEqual(meta['code_challenge_methods_supported'], ['S256']);
    assert.equal(meta['require_code_challenge'], true);
    assert.deepEqual(meta['scopes_supported'], [...GLEWLWYD_SCOPES]);
  });

  it('quirk: discovery lists neither the "none" client authentication nor the refresh_token grant, and does not advertise RFC 9207 iss although it sends it', async () => {
    assert.ok(g);
    const meta = (await (await fetch(`${g.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.deepEqual(meta['token_endpoint_auth_methods_supported'], ['client_secret_basic', 'client_secret_post'], 'public clients work although "none" is not listed');
    assert.deepEqual(meta['grant_types_supported'], ['authorization_code', 'implicit'], 'refresh works although refresh_token is not listed');
    assert.deepEqual(meta['revocation_endpoint_auth_methods_supported'], ['client_secret_basic']);
    assert.equal(meta['authorization_response_iss_parameter_supported'], undefined);
  });

  it('signs in through Chromium with authorization code + PKCE: ID token verified, iss in the redirect', async (t) => {
    const started = performance.now();
    first = await signIn();
    assert.deepEqual(first.steps, ['login', 'grant', 'continue'], 'password, then the scope grant, then Continue');
    t.diagnostic(`sign-in through Glewlwyd's login app (load, password, grant, continue, redirect) and code exchange: ${Math.round(performance.now() - started)} ms`);
    assert.ok(g);
    assert.equal(first.redirect.searchParams.get('iss'), g.issuer, 'RFC 9207 iss is sent (oauth-as-iss-id)');
    assert.equal(first.claims.iss, g.issuer);
    assert.equal(first.claims.aud, g.clientId);
    assert.equal(first.claims['azp'], g.clientId);
    assert.equal(first.claims['name'], g.user.name);
    assert.equal(first.claims['email'], g.user.email);
    assert.match(first.claims.sub, /^[A-Za-z0-9]{20,}$/, 'sub is a generated identifier, not the username');
    assert.notEqual(first.claims.sub, g.user.username);
    assert.equal(first.tokens.token_type, 'bearer');
    assert.equal(first.tokens.scope, SCOPE);
    const jwks = jose.createLocalJWKSet((await (await fetch(`${g.issuer}/jwks`)).json()) as jose.JSONWebKeySet);
    const verified = await jose.jwtVerify(first.idToken, jwks, { issuer: g.issuer, audience: g.clientId, algorithms: ['RS256'] });
    assert.equal(verified.protectedHeader.kid, 'oidc-desk-test-1');
  });

  it('quirk: auth_time is 0, and a code-flow ID token carries c_hash and amr', () => {
    assert.equal(first.claims.auth_time, 0, 'auth_time 0 (1970): the product must not treat it as a real sign-in time');
    assert.equal(typeof first.claims['c_hash'], 'string');
    assert.equal(typeof first.claims['at_hash'], 'string');
    assert.deepEqual(first.claims['amr'], ['password']);
  });

  it('quirk: access tokens are RFC 9068 JWTs (typ at+jwt) whose aud is the scope list, not a resource', async () => {
    assert.ok(g);
    const header = jose.decodeProtectedHeader(first.tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'RS256');
    const claims = decodePayload(first.tokens.access_token);
    assert.equal(claims['iss'], g.issuer);
    assert.equal(claims['sub'], first.claims.sub);
    assert.equal(claims['client_id'], g.clientId);
    assert.equal(claims['aud'], SCOPE);
    assert.equal(claims['scope'], SCOPE);
    assert.equal(claims['type'], 'access_token');
    assert.equal(first.tokens.expires_in, 300);
    assert.equal(typeof first.tokens['iat'], 'number', 'a non-standard iat member in the token response');
  });

  it('userinfo answers JSON with the same sub, name and email', async () => {
    assert.ok(g);
    const res = await oauth.userInfoRequest(as, client, first.tokens.access_token, insecure);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const info = await oauth.processUserInfoResponse(as, client, first.claims.sub, res);
    assert.equal(info.sub, first.claims.sub);
    assert.equal(info.name, g.user.name);
    assert.equal(info.email, g.user.email);
  });

  it('quirk: a refresh returns a new access token and a rotated refresh token, but no ID token', async () => {
    const res = await refresh(first.refreshToken);
    assert.equal(res.status, 200);
    const body = (await res.clone().json()) as Record<string, unknown>;
    recordSecrets(body['access_token'] as string, body['refresh_token'] as string);
    const tokens = await oauth.processRefreshTokenResponse(as, client, res);
    assert.equal(tokens.id_token, undefined, 'no id_token on refresh: the previous ID token must be kept (OIDC Core §12.2 allows it)');
    assert.equal(typeof tokens.refresh_token, 'string');
    assert.notEqual(tokens.refresh_token, first.refreshToken, 'rotated (refresh-token-one-use: always)');
    assert.notEqual(tokens.access_token, first.tokens.access_token);
    assert.equal(decodePayload(tokens.access_token)['sub'], first.claims.sub);
  });

  it('quirk: a rotated refresh token used again gets 400 with an empty body, and breaks the chain: the newest refresh token is refused too', async () => {
    const signedIn = await signIn();
    const rotated = await refresh(signedIn.refreshToken);
    assert.equal(rotated.status, 200);
    const newest = ((await rotated.json()) as Record<string, unknown>)['refresh_token'];
    assert.ok(typeof newest === 'string');
    recordSecrets(newest);

    const replay = await refresh(signedIn.refreshToken);
    assert.equal(replay.status, 400);
    assert.equal(await replay.text(), '', 'no JSON error body (no "error": "invalid_grant")');
    assert.equal(replay.headers.get('content-type'), null);

    const afterReplay = await refresh(newest);
    assert.equal(afterReplay.status, 400, 'a replay revokes the chain: refresh must be single-flight');
    assert.equal(await afterReplay.text(), '');
  });

  it('quirk: an unknown refresh token gets 400 with an empty body', async () => {
    const res = await refresh('not-a-refresh-token-from-this-provider');
    assert.equal(res.status, 400);
    assert.equal(await res.text(), '');
  });

  it('quirk: revocation and introspection by a public client are refused with 401 and an empty body; the token stays valid', async () => {
    const signedIn = await signIn();
    const revoke = await oauth.revocationRequest(as, client, oauth.None(), signedIn.refreshToken, insecure);
    assert.equal(revoke.status, 401);
    assert.equal(await revoke.text(), '');
    assert.equal(revoke.headers.get('www-authenticate'), null);
    const revokeAccess = await oauth.revocationRequest(as, client, oauth.None(), signedIn.tokens.access_token, insecure);
    assert.equal(revokeAccess.status, 401);
    const introspect = await oauth.introspectionRequest(as, client, oauth.None(), signedIn.tokens.access_token, insecure);
    assert.equal(introspect.status, 401);
    assert.equal(await introspect.text(), '');

    const info = await oauth.userInfoRequest(as, client, signedIn.tokens.access_token, insecure);
    assert.equal(info.status, 200, 'the access token still works');
    const stillValid = await refresh(signedIn.refreshToken);
    assert.equal(stillValid.status, 200, 'the refresh token still works');
    recordSecrets(((await stillValid.json()) as Record<string, unknown>)['refresh_token'] as string);
  });

  it('quirk: the loopback redirect URI is compared port included: another port, no port or localhost get 403 with an empty body, no redirect', async () => {
    assert.ok(g);
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    for (const redirectUri of [
      `http://127.0.0.1:${g.redirectPort === 65_535 ? 65_534 : g.redirectPort + 1}/callback`,
      'http://127.0.0.1/callback',
      `http://localhost:${g.redirectPort}/callback`,
    ]) {
      const url = new URL(as.authorization_endpoint ?? '');
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: g.clientId, redirect_uri: redirectUri, scope: SCOPE, state: 'state-not-used', code_challenge: challenge, code_challenge_method: 'S256' })) url.searchParams.set(k, v);
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 403, redirectUri);
      assert.equal(res.headers.get('location'), null, redirectUri);
      assert.equal(await res.text(), '');
    }
  });

  it('refuses an authorization request without PKCE, or with plain, by redirecting with error=invalid_request', async () => {
    assert.ok(g);
    for (const pkce of [{}, { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }]) {
      const url = new URL(as.authorization_endpoint ?? '');
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: g.clientId, redirect_uri: g.redirectUri, scope: SCOPE, state: 'state-not-used', ...pkce })) url.searchParams.set(k, v);
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 302);
      const location = new URL(res.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, g.redirectUri);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.equal(location.searchParams.get('state'), 'state-not-used');
    }
  });

  it('a later sign-in of the same user skips the grant page (the grant is remembered) and keeps the sub', async () => {
    const again = await signIn();
    assert.deepEqual(again.steps, ['login', 'continue']);
    assert.equal(again.claims.sub, first.claims.sub);
  });

  it('quirk (admin API): a plugin instance refused with 400 still exists under its name, so a retry must delete it first', async () => {
    assert.ok(g);
    const broken = { module: 'oidc', name: 'refused', display_name: 'refused', enabled: true, parameters: { iss: `${g.origin}/api/refused`, 'jwt-type': 'sha', 'jwt-key-size': '256', key: 'not-a-secret-of-any-test', 'session-management-allowed': true } };
    const refused = await g.admin('POST', '/mod/plugin/', broken);
    assert.equal(refused.status, 400);
    assert.ok(Array.isArray(refused.body) && refused.body.some((m) => typeof m === 'string' && m.includes('session-cookie-name')));
    const retry = await g.admin('POST', '/mod/plugin/', broken);
    assert.equal(retry.status, 400);
    assert.deepEqual(retry.body, ['A module instance with this name already exist']);
    assert.equal((await g.admin('GET', '/mod/plugin/refused')).status, 200);
    assert.equal((await g.admin('DELETE', '/mod/plugin/refused')).status, 200);
  });

  it('the browser agent reports a 403 for an unregistered redirect port, without quoting the URL (state, nonce)', async () => {
    assert.ok(g && browser);
    const wrong = `http://127.0.0.1:${g.redirectPort === 65_535 ? 65_534 : g.redirectPort + 1}/callback`;
    const url = new URL(as.authorization_endpoint ?? '');
    for (const [k, v] of Object.entries({
      response_type: 'code', client_id: g.clientId, redirect_uri: wrong, scope: SCOPE, state: 'state-never-quoted',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()), code_challenge_method: 'S256',
    })) url.searchParams.set(k, v);
    await assert.rejects(signInWithGlewlwyd(browser, url.href, { username: g.user.username, password: g.user.password, redirectPrefix: wrong }), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /refused the authorization request: HTTP 403/);
      assert.doesNotMatch(err.message, /state-never-quoted/);
      return true;
    });
  });

  it('the browser agent reports a wrong password instead of waiting', async () => {
    assert.ok(g && browser);
    const url = new URL(as.authorization_endpoint ?? '');
    for (const [k, v] of Object.entries({
      response_type: 'code', client_id: g.clientId, redirect_uri: g.redirectUri, scope: SCOPE, state: 'state-not-used',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()), code_challenge_method: 'S256',
    })) url.searchParams.set(k, v);
    await assert.rejects(
      signInWithGlewlwyd(browser, url.href, { username: g.user.username, password: 'not-the-password', redirectPrefix: g.redirectUri }),
      /rejected the username or password/,
    );
  });
});

/** Proves the test harness: the demo IdP child process, its counters, and the Chromium agent through real code+PKCE round trips. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { openBrowser } from '../harness/browser.ts';
import type { BrowserAgent } from '../harness/browser.ts';
import { DEMO_CLIENT_ID, DEMO_REDIRECT_URI, generateDemoJwks, startTestIdp } from '../harness/idp.ts';
import type { TestIdp } from '../harness/idp.ts';
import { freePort } from '../harness/ports.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const client: oauth.Client = { client_id: DEMO_CLIENT_ID };

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const issuerUrl = new URL(issuer);
  return oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, insecure));
}

interface Flow {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

async function authorizationRequest(as: oauth.AuthorizationServer, redirectUri: string): Promise<Flow> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  assert.ok(as.authorization_endpoint);
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', DEMO_CLIENT_ID);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid profile email offline_access');
  url.searchParams.set('prompt', 'consent');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  return { url: url.href, state, nonce, verifier };
}

/** Exchanges the code from `redirectUrl` and checks the token response; never prints a token. */
async function redeem(as: oauth.AuthorizationServer, flow: Flow, redirectUri: string, redirectUrl: string): Promise<void> {
  const params = oauth.validateAuthResponse(as, client, new URL(redirectUrl), flow.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, flow.verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: flow.nonce, requireIdToken: true });
  assert.equal(typeof tokens.access_token, 'string');
  assert.ok(tokens.access_token.length > 0, 'access token');
  assert.equal(typeof tokens.id_token, 'string', 'id token');
  assert.equal(typeof tokens.refresh_token, 'string', 'refresh token (offline_access + prompt=consent)');
  assert.equal(tokens.token_type, 'bearer');
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  assert.equal(claims?.sub, 'user-alice');
  assert.equal(claims?.iss, as.issuer);
}

function startLoopback(): Promise<{ server: Server; redirectUri: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>Done</title><p>Signed in. You can close this window.</p>');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback` });
    });
  });
}

describe('test harness: demo IdP and Chromium agent', () => {
  let idp: TestIdp | undefined;
  let agent: BrowserAgent | undefined;
  let as: oauth.AuthorizationServer;

  before(async () => {
    [idp, agent] = await Promise.all([startTestIdp(), openBrowser()]);
    as = await discover(idp.issuer);
  });

  after(async () => {
    await agent?.close();
    await idp?.stop();
  });

  it('serves discovery for an issuer without a trailing slash, with RFC 9207 iss support', async () => {
    assert.ok(idp);
    assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(json['issuer'], idp.issuer);
    assert.equal(json['authorization_response_iss_parameter_supported'], true);
    assert.deepEqual(json['code_challenge_methods_supported'], ['S256']);
    assert.equal(typeof json['revocation_endpoint'], 'string');
    assert.equal(typeof json['introspection_endpoint'], 'string');
    assert.equal(typeof json['end_session_endpoint'], 'string');
  });

  it('signs in through the private-use scheme redirect (code + PKCE), one token request counted', async (t) => {
    assert.ok(idp && agent);
    await idp.resetCounts();
    const flow = await authorizationRequest(as, DEMO_REDIRECT_URI);
    const started = performance.now();
    const redirect = await agent.signIn(flow.url, { username: 'alice', password: 'alice-password', redirectPrefix: DEMO_REDIRECT_URI });
    t.diagnostic(`browser sign-in (load, login, consent, redirect) took ${Math.round(performance.now() - started)} ms`);
    assert.ok(redirect.startsWith(`${DEMO_REDIRECT_URI}?`));
    await redeem(as, flow, DEMO_REDIRECT_URI, redirect);
    const counts = await idp.counts();
    assert.equal(counts['token:authorization_code'], 1);
    assert.equal(counts['authorization'], 1);
    assert.equal(counts['token:refresh_token'], undefined);
  });

  it('signs in through a loopback redirect on an ephemeral port', async () => {
    assert.ok(idp && agent);
    const { server, redirectUri } = await startLoopback();
    try {
      await idp.resetCounts();
      const flow = await authorizationRequest(as, redirectUri);
      const redirect = await agent.signIn(flow.url, { username: 'alice', password: 'alice-password', redirectPrefix: redirectUri });
      assert.ok(redirect.startsWith(`${redirectUri}?`));
      await redeem(as, flow, redirectUri, redirect);
      assert.equal((await idp.counts())['token:authorization_code'], 1);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('counts refresh, userinfo, introspection and revocation by route, for the public client', async () => {
    assert.ok(idp && agent);
    const flow = await authorizationRequest(as, DEMO_REDIRECT_URI);
    const redirect = await agent.signIn(flow.url, { username: 'alice', password: 'alice-password', redirectPrefix: DEMO_REDIRECT_URI });
    const params = oauth.validateAuthResponse(as, client, new URL(redirect), flow.state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, DEMO_REDIRECT_URI, flow.verifier, insecure),
      { expectedNonce: flow.nonce });
    assert.ok(tokens.refresh_token);
    await idp.resetCounts();

    const refreshed = await oauth.processRefreshTokenResponse(as, client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, insecure));
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'refresh token rotated');

    const userinfo = await oauth.processUserInfoResponse(as, client, 'user-alice',
      await oauth.userInfoRequest(as, client, refreshed.access_token, insecure));
    assert.equal(userinfo['preferred_username'], 'alice');
    assert.equal(userinfo.email, 'alice@example.com');

    const introspection = await oauth.processIntrospectionResponse(as, client,
      await oauth.introspectionRequest(as, client, oauth.None(), refreshed.access_token, insecure));
    assert.equal(introspection.active, true);

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), refreshed.refresh_token, insecure));
    const afterRevoke = await oauth.processIntrospectionResponse(as, client,
      await oauth.introspectionRequest(as, client, oauth.None(), refreshed.refresh_token, insecure));
    assert.equal(afterRevoke.active, false);

    assert.deepEqual(await idp.counts(), {
      'token:refresh_token': 1,
      userinfo: 1,
      introspection: 2,
      revocation: 1,
    });
  });

  it('denied consent redirects with error=access_denied', async () => {
    assert.ok(agent);
    const flow = await authorizationRequest(as, DEMO_REDIRECT_URI);
    const redirect = await agent.signIn(flow.url, {
      username: 'bob', password: 'bob-password', redirectPrefix: DEMO_REDIRECT_URI, consent: 'deny',
    });
    const url = new URL(redirect);
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.equal(url.searchParams.get('state'), flow.state);
    assert.throws(() => oauth.validateAuthResponse(as, client, url, flow.state), (err: unknown) => err instanceof oauth.AuthorizationResponseError);
  });

  it('stops at the login page; cancel there also gives access_denied', async () => {
    assert.ok(agent);
    const flow = await authorizationRequest(as, DEMO_REDIRECT_URI);
    const session = await agent.openAuthorization(flow.url, { redirectPrefix: DEMO_REDIRECT_URI });
    try {
      assert.equal(session.initialStep, 'login');
      assert.match(await session.page.locator('body').innerText(), /alice-password/);
      const redirect = await session.cancelLogin();
      assert.equal(new URL(redirect).searchParams.get('error'), 'access_denied');
    } finally {
      await session.close();
    }
  });

  it('reports a wrong password clearly', async () => {
    assert.ok(agent);
    const flow = await authorizationRequest(as, DEMO_REDIRECT_URI);
    await assert.rejects(
      agent.signIn(flow.url, { username: 'alice', password: 'wrong', redirectPrefix: DEMO_REDIRECT_URI }),
      /rejected the username or password/,
    );
  });

  it('restarts on a fixed port with rotated keys', async () => {
    const port = await freePort();
    const first = await startTestIdp({ port, jwks: await generateDemoJwks() });
    let second: TestIdp | undefined;
    try {
      const kids1 = await jwksKids(first.issuer);
      await first.stop();
      second = await startTestIdp({ port, jwks: await generateDemoJwks() });
      assert.equal(second.issuer, first.issuer);
      const kids2 = await jwksKids(second.issuer);
      assert.equal(kids1.length, 2);
      assert.equal(kids2.length, 2);
      assert.equal(kids1.filter((k) => kids2.includes(k)).length, 0);
    } finally {
      await first.stop();
      await second?.stop();
    }
  });
});

async function jwksKids(issuer: string): Promise<string[]> {
  const json = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid?: string; d?: string }[] };
  assert.ok(json.keys.every((k) => k.d === undefined), 'public keys only');
  return json.keys.map((k) => k.kid ?? '');
}

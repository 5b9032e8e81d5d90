/**
 * The exchange timeline of a real sign-in and refresh (the local oidc-provider, Chromium on a loopback
 * redirect): every exchange attributed to its sign-in, then to the session it became, and the HAR 1.2
 * export holding none of the tokens, code, verifier, state or nonce that crossed the wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient, type FetchLike } from '../../src-main/core/http/client.ts';
import { ExchangeLog } from '../../src-main/core/http/exchange-log.ts';
import { exchangesToHar } from '../../src-main/core/http/har.ts';
import { SignInEngine } from '../../src-main/core/oauth/sign-in.ts';
import { refreshTokens } from '../../src-main/core/oauth/tokens.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { assertHar12 } from '../unit/core/http/har-spec.ts';

const alice = DEMO_USERS[0]!;
const { idp, browser } = useLocalProvider();

/** Every secret value that crossed the wire, read from the raw requests and responses under the core fetch. */
const wire = new Set<string>();

function collect(value: unknown): void {
  if (typeof value === 'string' && value.length >= 8) wire.add(value);
}

const observing: FetchLike = async (input, init) => {
  if (typeof init?.body === 'string' || init?.body instanceof URLSearchParams) {
    const form = new URLSearchParams(init.body.toString());
    for (const name of ['code', 'code_verifier', 'refresh_token']) collect(form.get(name));
  }
  const response = await fetch(input, init as RequestInit);
  const text = await response.clone().text();
  if (text.startsWith('{')) {
    const body = JSON.parse(text) as Record<string, unknown>;
    for (const name of ['access_token', 'refresh_token', 'id_token']) collect(body[name]);
  }
  return response;
};

test('a sign-in and a refresh: attributed to the flow, then the session; the HAR export holds no secret', { timeout: 120_000 }, async () => {
  const log = new ExchangeLog();
  const engine = new SignInEngine({ fetch: createHttpClient({ fetch: observing, log }), now: Date.now });
  const profile = parseProfile({
    name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true,
    scopes: 'openid profile offline_access', extraParams: { prompt: 'consent' }, redirect: 'loopback',
  });
  const started = await engine.start(profile);
  const authorization = new URL(started.authorizationUrl);
  for (const name of ['state', 'nonce']) collect(authorization.searchParams.get(name));
  const redirect = await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: started.redirectUri });
  redirectSecrets(redirect).forEach(collect);
  const result = await started.result;
  assert.equal(result.flowId, started.id);

  // The session service does this: the session's own operations use the provider bound to the session.
  const sessionId = 's-timeline-1';
  const refreshToken = result.tokens.refreshToken;
  assert.ok(refreshToken, 'offline_access and consent bring a refresh token');
  const refreshed = await refreshTokens(result.provider.within({ sessionId }), { refreshToken, now: Date.now });
  for (const value of [result.tokens.accessToken, result.tokens.idToken, refreshToken, refreshed.accessToken, refreshed.idToken, refreshed.refreshToken]) collect(value);
  recordSecrets(...wire);
  const idTokenPayload = result.tokens.idToken?.split('.')[1];
  collect(idTokenPayload);

  const path = (url: string): string => new URL(url).pathname;
  const flowEntries = log.entries({ flowId: started.id });
  // Logged as they end: the keys are fetched once the token response brought an ID token.
  assert.deepEqual(flowEntries.map((e) => path(e.url)), ['/.well-known/openid-configuration', '/token', '/jwks'], 'discovery, the code exchange and the keys belong to the sign-in');
  assert.ok(flowEntries.every((e) => e.context?.sessionId === undefined), 'not yet any session\'s');
  assert.deepEqual(log.entries({ sessionId }).map((e) => path(e.url)), ['/token'], 'the refresh belongs to the session');
  assert.ok(log.entries().every((e) => e.context !== undefined), 'no exchange is unattributed');

  assert.equal(log.assign(started.id, sessionId), 3);
  const timeline = log.entries({ sessionId });
  assert.deepEqual(timeline.map((e) => path(e.url)), ['/.well-known/openid-configuration', '/token', '/jwks', '/token']);
  assert.deepEqual(timeline.map((e) => e.requestBody.match(/grant_type=(\w+)/)?.[1] ?? null), [null, 'authorization_code', null, 'refresh_token']);

  const har = exchangesToHar(timeline, { version: '0.1.0' });
  const json = JSON.stringify(har);
  assertHar12(JSON.parse(json));
  assert.deepEqual(har.log.entries.map((e) => e.response.status), [200, 200, 200, 200]);
  assert.ok(har.log.entries.every((e) => e._oidcDesk.sessionId === sessionId));
  assert.ok(wire.size >= 10, `the secrets seen on the wire were collected (${wire.size})`);
  for (const secret of wire) assert.ok(!json.includes(secret), 'a secret that crossed the wire is in the HAR export');
  assert.match(json, /\*\*\*masked-[0-9a-f]{8}/);
});

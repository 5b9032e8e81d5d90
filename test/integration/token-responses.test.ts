/**
 * Token, ID token and discovery cases of SECURITY.md that a compliant provider never produces,
 * driven through the real engine against a misbehaving provider on 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { decodeJwt } from '../../src-main/core/oauth/jwt-decode.ts';
import { SignInEngine } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { startHostileIdp, type HostileIdp, type HostileIdpOptions, type HostileReply } from '../harness/hostile-idp.ts';

interface Run {
  idp: HostileIdp;
  engine: SignInEngine;
  nonce: string;
}

/** Starts a sign-in against a hostile provider and delivers a well-formed callback for it. */
async function signIn(token: (form: URLSearchParams, run: Run) => HostileReply | Promise<HostileReply>, options: HostileIdpOptions & { timeoutMs?: number } = {}): Promise<{ run: Run; outcome: Promise<unknown> }> {
  const run = {} as Run;
  run.idp = await startHostileIdp({ ...options, token: (form) => token(form, run) });
  run.engine = new SignInEngine({ fetch: createHttpClient({ timeoutMs: options.timeoutMs ?? 5000 }), now: Date.now });
  const profile = parseProfile({ name: 'h', issuer: run.idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid profile' });
  const started = await run.engine.start(profile);
  const auth = new URL(started.authorizationUrl);
  run.nonce = auth.searchParams.get('nonce') ?? '';
  const callback = `dev.oidcdesk:/callback?code=code-123&state=${auth.searchParams.get('state')}&iss=${encodeURIComponent(run.idp.issuer)}`;
  const outcome = run.engine.router.handle(callback).then(() => started.result);
  outcome.catch(() => undefined);
  return { run, outcome };
}

const goodBody = async (run: Run, claims: Record<string, unknown> = {}, o: { clientId?: string; alg?: string } = {}) => ({
  access_token: 'at-opaque-1234567890',
  token_type: 'Bearer',
  expires_in: 300,
  id_token: await run.idp.signIdToken({ sub: 'alice', nonce: run.nonce, ...claims }, o),
});

async function expectRejected(reply: (run: Run) => HostileReply | Promise<HostileReply>, code: string, options: HostileIdpOptions & { timeoutMs?: number } = {}): Promise<Run> {
  const { run, outcome } = await signIn((_f, r) => reply(r), options);
  try {
    await assert.rejects(outcome, { code });
    assert.equal(run.idp.counts['/token'], 1, 'exactly one token request, no retry');
    assert.equal(run.engine.pendingCount, 0, 'the flow is gone');
  } finally {
    await run.idp.stop();
  }
  return run;
}

test('control: a well-formed response from the same provider is accepted', async () => {
  const { run, outcome } = await signIn(async (_f, r) => ({ json: await goodBody(r) }));
  try {
    const result = (await outcome) as { tokens: { idTokenClaims?: { sub: string } } };
    assert.equal(result.tokens.idTokenClaims?.sub, 'alice');
  } finally {
    await run.idp.stop();
  }
});

test('token: 200 without access_token or token_type is rejected', async () => {
  await expectRejected(async (r) => ({ json: { ...(await goodBody(r)), access_token: undefined } }), 'TOKEN_RESPONSE_INVALID');
  await expectRejected(async (r) => ({ json: { ...(await goodBody(r)), token_type: undefined } }), 'TOKEN_RESPONSE_INVALID');
});

test('token: openid requested but no id_token is rejected', async () => {
  await expectRejected(async (r) => ({ json: { ...(await goodBody(r)), id_token: undefined } }), 'TOKEN_RESPONSE_INVALID');
});

test('token: an HTML or empty body is rejected', async () => {
  await expectRejected(() => ({ status: 200, body: '<html><body>Sign in</body></html>' }), 'TOKEN_RESPONSE_INVALID');
  await expectRejected(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '' }), 'TOKEN_RESPONSE_INVALID');
  await expectRejected(() => ({ status: 502, body: '<html>Bad gateway</html>' }), 'HTTP_STATUS');
});

test('token: a server that never answers is aborted at the timeout and the engine recovers', async () => {
  await expectRejected(() => 'hang', 'HTTP_TIMEOUT', { timeoutMs: 300 });
});

test('id token: bad signature, alg none, HS256 for a public client are rejected', async () => {
  await expectRejected(async (r) => {
    const body = await goodBody(r);
    const [h, , s] = body.id_token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(body.id_token)?.claims, sub: 'mallory' })).toString('base64url');
    return { json: { ...body, id_token: `${h}.${forged}.${s}` } };
  }, 'ID_TOKEN_SIGNATURE_INVALID');
  await expectRejected(async (r) => {
    const body = await goodBody(r);
    const payload = body.id_token.split('.')[1];
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    return { json: { ...body, id_token: `${header}.${payload}.` } };
  }, 'ID_TOKEN_ALG_NOT_ALLOWED');
  await expectRejected(async (r) => {
    const { SignJWT } = await import('jose');
    const body = await goodBody(r);
    const now = Math.floor(Date.now() / 1000);
    const hs = await new SignJWT({ iss: r.idp.issuer, aud: 'oidc-desk', sub: 'alice', nonce: r.nonce, iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-shared-secret-a-shared-secret!'));
    return { json: { ...body, id_token: hs } };
  }, 'ID_TOKEN_ALG_NOT_ALLOWED', { metadata: { id_token_signing_alg_values_supported: ['RS256', 'HS256'] } });
});

test('id token: wrong aud, iss, nonce; expired; iat far in the future are rejected', async () => {
  const now = Math.floor(Date.now() / 1000);
  await expectRejected(async (r) => ({ json: await goodBody(r, {}, { clientId: 'another-client' }) }), 'ID_TOKEN_INVALID');
  await expectRejected(async (r) => ({ json: await goodBody(r, { iss: 'http://127.0.0.1:1' }) }), 'ID_TOKEN_INVALID');
  await expectRejected(async (r) => ({ json: await goodBody(r, { nonce: 'another-nonce' }) }), 'ID_TOKEN_INVALID');
  await expectRejected(async (r) => ({ json: await goodBody(r, { iat: now - 7200, exp: now - 3600 }) }), 'ID_TOKEN_INVALID');
  await expectRejected(async (r) => ({ json: await goodBody(r, { iat: now + 3600, exp: now + 7200 }) }), 'ID_TOKEN_INVALID');
});

test('discovery: a metadata issuer that differs from the configured one is rejected', async () => {
  for (const metadataIssuer of [(i: string) => `${i}/`, () => 'https://evil.example.com']) {
    const idp = await startHostileIdp({ metadataIssuer });
    try {
      const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
      const profile = parseProfile({ name: 'h', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
      await assert.rejects(engine.start(profile), { code: 'DISCOVERY_ISSUER_MISMATCH' });
      assert.equal(idp.counts['/token'] ?? 0, 0);
    } finally {
      await idp.stop();
    }
  }
});

test("discovery: an Okta-style custom authorization server path, through OpenID Discovery or RFC 8414 only", async () => {
  for (const discovery of ['oidc', 'oauth2'] as const) {
    const idp = await startHostileIdp({ basePath: '/oauth2/default', discovery });
    try {
      assert.ok(idp.issuer.endsWith('/oauth2/default'));
      const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
      const started = await engine.start(parseProfile({ name: 'okta-like', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true }));
      assert.equal(new URL(started.authorizationUrl).pathname, '/oauth2/default/authorize');
      const fetched = Object.keys(idp.counts).filter((p) => p.includes('.well-known'));
      assert.deepEqual(fetched, discovery === 'oidc'
        ? ['/oauth2/default/.well-known/openid-configuration']
        : ['/oauth2/default/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/oauth2/default']);
      started.cancel();
    } finally {
      await idp.stop();
    }
  }
});

test('discovery: endpoints on http to another host, or with credentials, are refused before any use', async () => {
  for (const metadata of [
    { token_endpoint: 'http://10.0.0.5/token' },
    { jwks_uri: 'http://keys.example.com/jwks' },
    { authorization_endpoint: 'javascript:alert(1)' },
    { revocation_endpoint: 'https://user:pass@idp.example.com/revoke' },
  ]) {
    const idp = await startHostileIdp({ metadata });
    try {
      const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
      const profile = parseProfile({ name: 'h', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
      await assert.rejects(engine.start(profile), { code: 'DISCOVERY_FAILED' }, JSON.stringify(metadata));
      assert.equal(engine.pendingCount, 0);
    } finally {
      await idp.stop();
    }
  }
});

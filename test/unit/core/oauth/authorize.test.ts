import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { buildAuthorizationRequest } from '../../../../src-main/core/oauth/authorize.ts';

const metadata = { issuer: 'https://dev-123.okta.com/oauth2/default', authorization_endpoint: 'https://dev-123.okta.com/oauth2/default/v1/authorize' };

test('PKCE S256, state and nonce, and the optional OpenID parameters', async () => {
  const r = await buildAuthorizationRequest({
    metadata, clientId: '0oa1', redirectUri: 'dev.oidcdesk:/callback', scopes: ['openid', 'offline_access'],
    options: { prompt: 'login consent', loginHint: 'alice@example.com', maxAge: 300, acrValues: 'urn:okta:loa:2fa:any', extraParams: { idp: '0oa-social' } },
  });
  const q = r.url.searchParams;
  assert.equal(r.url.origin + r.url.pathname, metadata.authorization_endpoint);
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.equal(q.get('code_challenge'), await oauth.calculatePKCECodeChallenge(r.codeVerifier));
  assert.equal(q.get('state'), r.state);
  assert.equal(q.get('nonce'), r.nonce);
  assert.equal(q.get('scope'), 'openid offline_access');
  assert.equal(q.get('prompt'), 'login consent');
  assert.equal(q.get('login_hint'), 'alice@example.com');
  assert.equal(q.get('max_age'), '300');
  assert.equal(q.get('acr_values'), 'urn:okta:loa:2fa:any');
  assert.equal(q.get('idp'), '0oa-social');
  assert.ok(r.codeVerifier.length >= 43, 'RFC 7636 verifier length');
});

test('no nonce without openid (plain OAuth 2.0), and fresh secrets every time', async () => {
  const input = { metadata, clientId: '0oa1', redirectUri: 'http://127.0.0.1:5000/callback', scopes: ['api.read'] };
  const a = await buildAuthorizationRequest(input);
  const b = await buildAuthorizationRequest(input);
  assert.equal(a.nonce, undefined);
  assert.equal(a.url.searchParams.has('nonce'), false);
  assert.notEqual(a.state, b.state);
  assert.notEqual(a.codeVerifier, b.codeVerifier);
});

test('extra parameters may not name what the engine sets, nor response_mode or client credentials (USAGE)', async () => {
  const input = { metadata, clientId: '0oa1', redirectUri: 'dev.oidcdesk:/callback', scopes: ['openid'] };
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'scope', 'request', 'request_uri', 'response_mode', 'client_secret', 'client_assertion', 'client_assertion_type', 'code_verifier', 'dpop_jkt']) {
    await assert.rejects(buildAuthorizationRequest({ ...input, options: { extraParams: { [name]: 'x' } } }), { code: 'USAGE' }, name);
  }
  await assert.rejects(buildAuthorizationRequest({ ...input, options: { extraParams: { response_mode: 'query.jwt-value-0123' } } }), (error: unknown) => error instanceof Error && /response_mode/.test(error.message) && !/value-0123/.test(error.message));
  await assert.rejects(buildAuthorizationRequest({ ...input, options: { extraParams: { 'bad name': 'x' } } }), { code: 'USAGE' });
  const ok = await buildAuthorizationRequest({ ...input, options: { extraParams: { prompt: 'consent', resource: 'https://api.example.com', idp: '0oa-social' } } });
  assert.equal(ok.url.searchParams.get('resource'), 'https://api.example.com');
});

test('max_age: from the options or the extra parameters, validated as a non-negative integer, and returned for the ID token check', async () => {
  const input = { metadata, clientId: '0oa1', redirectUri: 'dev.oidcdesk:/callback', scopes: ['openid'] };
  assert.equal((await buildAuthorizationRequest(input)).maxAge, undefined);
  const fromOptions = await buildAuthorizationRequest({ ...input, options: { maxAge: 0 } });
  assert.equal(fromOptions.maxAge, 0);
  assert.equal(fromOptions.url.searchParams.get('max_age'), '0');
  const fromParams = await buildAuthorizationRequest({ ...input, options: { extraParams: { max_age: '300' } } });
  assert.equal(fromParams.maxAge, 300);
  assert.deepEqual(fromParams.url.searchParams.getAll('max_age'), ['300']);
  const both = await buildAuthorizationRequest({ ...input, options: { maxAge: 60, extraParams: { max_age: '300' } } });
  assert.equal(both.maxAge, 60, 'the explicit option wins, and is what the URL carries');
  assert.deepEqual(both.url.searchParams.getAll('max_age'), ['60']);
  for (const maxAge of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2]) {
    await assert.rejects(buildAuthorizationRequest({ ...input, options: { maxAge } }), { code: 'USAGE' }, String(maxAge));
  }
  for (const max_age of ['-1', '1.5', '', ' 300', '300 ', '0x10', '1e3', 'abc', '01', '99999999999999999999']) {
    await assert.rejects(buildAuthorizationRequest({ ...input, options: { extraParams: { max_age } } }), { code: 'USAGE' }, JSON.stringify(max_age));
  }
});

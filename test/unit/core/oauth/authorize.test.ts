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

test('extra parameters never override what the engine sets', async () => {
  const r = await buildAuthorizationRequest({
    metadata, clientId: '0oa1', redirectUri: 'dev.oidcdesk:/callback', scopes: ['openid'],
    options: { extraParams: { code_challenge_method: 'plain', state: 'fixed', client_id: 'other' } },
  });
  assert.equal(r.url.searchParams.get('code_challenge_method'), 'S256');
  assert.notEqual(r.url.searchParams.get('state'), 'fixed');
  assert.equal(r.url.searchParams.get('client_id'), '0oa1');
  assert.equal(r.url.searchParams.getAll('state').length, 1);
});

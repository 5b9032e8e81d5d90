/** A device flow profile (RFC 8628): a public client by default, a confidential one allowed, the person's scopes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOWS, parseProfile } from '../../../src-main/core/profile.ts';

const base = { name: 'tv', issuer: 'https://dev-123.okta.com/oauth2/default', clientId: '0oa1abc', flow: 'device_code' };

test('device_code is one of the flows; its profile is a public client with the OpenID scopes by default', () => {
  assert.ok((FLOWS as readonly string[]).includes('device_code'));
  const p = parseProfile(base);
  assert.equal(p.flow, 'device_code');
  assert.equal(p.clientAuth, 'none');
  assert.deepEqual(p.scopes, ['openid', 'profile', 'email', 'offline_access']);
});

test('a confidential device client is allowed, as for the password flow', () => {
  for (const clientAuth of ['client_secret_basic', 'client_secret_post', 'private_key_jwt']) assert.equal(parseProfile({ ...base, clientAuth }).clientAuth, clientAuth);
  assert.throws(() => parseProfile({ ...base, clientAuth: 'tls_client_auth' }), { code: 'PROFILE_INVALID' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProfile } from '../../../src-main/core/profile.ts';

const base = { name: 'okta', issuer: 'https://dev-123.okta.com/oauth2/default', clientId: '0oa1abc' };

test('a minimal profile gets defaults: the app scheme and OIDC scopes with offline_access', () => {
  const p = parseProfile(base);
  assert.deepEqual(p.redirect, { kind: 'app-scheme' });
  assert.deepEqual(p.scopes, ['openid', 'profile', 'email', 'offline_access']);
  assert.equal(p.issuer, base.issuer);
});

test("Okta's org and custom authorization servers are both valid issuers", () => {
  assert.equal(parseProfile({ ...base, issuer: 'https://dev-123.okta.com' }).issuer, 'https://dev-123.okta.com');
  assert.equal(parseProfile({ ...base, issuer: 'https://dev-123.okta.com/oauth2/aus1x' }).issuer, 'https://dev-123.okta.com/oauth2/aus1x');
});

test('an Okta-style custom scheme in reverse-domain form is accepted', () => {
  const p = parseProfile({ ...base, redirect: 'com.okta.dev-123:/callback' });
  assert.deepEqual(p.redirect, { kind: 'custom-scheme', uri: 'com.okta.dev-123:/callback' });
});

test('a custom scheme not in reverse-domain form is refused (RFC 8252 §7.1)', () => {
  assert.throws(() => parseProfile({ ...base, redirect: 'myapp:/callback' }), { code: 'REDIRECT_SCHEME_INVALID' });
  assert.throws(() => parseProfile({ ...base, redirect: 'javascript:alert(1)' }), { code: 'REDIRECT_SCHEME_INVALID' });
  assert.throws(() => parseProfile({ ...base, redirect: 'https://example.com/cb' }), { code: 'REDIRECT_SCHEME_INVALID' });
});

test('http issuers: only on loopback and only when the profile allows it', () => {
  assert.throws(() => parseProfile({ ...base, issuer: 'http://dev-123.okta.com' }), { code: 'ISSUER_INSECURE' });
  assert.throws(() => parseProfile({ ...base, issuer: 'http://dev-123.okta.com', allowHttpLoopback: true }), { code: 'ISSUER_INSECURE' });
  assert.throws(() => parseProfile({ ...base, issuer: 'http://127.0.0.1:3000' }), { code: 'ISSUER_INSECURE' });
  assert.equal(parseProfile({ ...base, issuer: 'http://127.0.0.1:3000', allowHttpLoopback: true }).issuer, 'http://127.0.0.1:3000');
});

test('malformed issuers and client ids are refused', () => {
  assert.throws(() => parseProfile({ ...base, issuer: 'not a url' }), { code: 'ISSUER_INVALID' });
  assert.throws(() => parseProfile({ ...base, issuer: 'https://idp.example.com/?x=1' }), { code: 'ISSUER_INVALID' });
  assert.throws(() => parseProfile({ ...base, issuer: 'ftp://idp.example.com' }), { code: 'ISSUER_INVALID' });
  assert.throws(() => parseProfile({ ...base, clientId: '' }), { code: 'PROFILE_INVALID' });
  assert.throws(() => parseProfile({ ...base, name: '../etc' }), { code: 'PROFILE_INVALID' });
  assert.throws(() => parseProfile(null), { code: 'PROFILE_INVALID' });
});

test('extra parameters cannot override what the engine sets', () => {
  assert.throws(() => parseProfile({ ...base, extraParams: { state: 'x' } }), { code: 'PROFILE_INVALID' });
  assert.throws(() => parseProfile({ ...base, extraParams: { code_challenge_method: 'plain' } }), { code: 'PROFILE_INVALID' });
  assert.deepEqual(parseProfile({ ...base, extraParams: { prompt: 'consent' } }).extraParams, { prompt: 'consent' });
});

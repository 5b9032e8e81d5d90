import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLoopbackRedirectUri, parseProfile } from '../../../src-main/core/profile.ts';

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

test('a fixed loopback redirect (providers that compare ports) is kept exactly as written', () => {
  for (const uri of ['http://127.0.0.1:8765/callback', 'http://127.0.0.1:1/', 'http://127.0.0.1:65535/oauth2/cb', 'http://[::1]:8765/callback', 'http://127.0.0.1:8765/a%20b/c-d_e.f~g']) {
    assert.deepEqual(parseProfile({ ...base, redirect: uri }).redirect, { kind: 'loopback', uri }, uri);
    assert.deepEqual(parseProfile({ ...base, redirect: { kind: 'loopback', uri } }).redirect, { kind: 'loopback', uri }, `${uri} as stored`);
  }
  assert.deepEqual(parseProfile({ ...base, redirect: 'loopback' }).redirect, { kind: 'loopback' });
  assert.deepEqual(parseProfile({ ...base, redirect: { kind: 'loopback' } }).redirect, { kind: 'loopback' });
  assert.deepEqual(parseLoopbackRedirectUri('http://[::1]:8765/cb'), { uri: 'http://[::1]:8765/cb', host: '::1', port: 8765, path: '/cb' });
  assert.deepEqual(parseLoopbackRedirectUri('http://127.0.0.1:80/callback'), { uri: 'http://127.0.0.1:80/callback', host: '127.0.0.1', port: 80, path: '/callback' });
});

test('a fixed loopback redirect is refused unless it is http on an IP literal with a port and a plain path (RFC 8252 §7.3, §8.3)', () => {
  const refused = [
    'http://localhost:8765/callback', // §8.3: never a name
    'http://LOCALHOST:8765/callback',
    'http://127.0.0.2:8765/callback',
    'http://0.0.0.0:8765/callback',
    'http://[::]:8765/callback',
    'http://example.com:8765/callback',
    'http://127.0.0.1/callback', // no port: use "loopback"
    'http://[::1]/callback',
    'http://127.0.0.1:0/callback',
    'http://127.0.0.1:65536/callback',
    'http://127.0.0.1:08765/callback',
    'http://127.0.0.1:87a5/callback',
    'http://127.0.0.1:8765', // no path
    'http://127.0.0.1:8765/callback?x=1',
    'http://127.0.0.1:8765/callback?',
    'http://127.0.0.1:8765/callback#f',
    'http://user:pw@127.0.0.1:8765/callback',
    'http://@127.0.0.1:8765/callback',
    'http://127.0.0.1:8765/a/../callback',
    'http://127.0.0.1:8765/./callback',
    'http://127.0.0.1:8765/%2e%2E/callback',
    'http://127.0.0.1:8765/bad%zzpath',
    'http://127.0.0.1:8765/call back',
    'http://127.0.0.1:8765/call\\back',
    'HTTP://127.0.0.1:8765/callback',
    'https://127.0.0.1:8765/callback',
    `http://127.0.0.1:8765/${'a'.repeat(400)}`,
  ];
  for (const uri of refused) {
    assert.throws(() => parseProfile({ ...base, redirect: uri }), { code: 'REDIRECT_SCHEME_INVALID' }, uri);
    assert.throws(() => parseProfile({ ...base, redirect: { kind: 'loopback', uri } }), { code: 'REDIRECT_SCHEME_INVALID' }, `${uri} as stored`);
  }
  assert.throws(() => parseProfile({ ...base, redirect: { kind: 'loopback', uri: 8765 } }), { code: 'REDIRECT_SCHEME_INVALID' });
});

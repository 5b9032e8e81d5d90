import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLoopbackRedirectUri, parseProfile } from '../../../src-main/core/profile.ts';
import { ProfileStore } from '../../../src-main/core/store/profiles.ts';

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

test('a profile may not set response_mode, client credentials, or an invalid max_age (PROFILE_INVALID)', () => {
  for (const name of ['response_mode', 'response_type', 'redirect_uri', 'request_uri', 'client_secret', 'client_assertion', 'code_verifier', 'dpop_jkt']) {
    assert.throws(() => parseProfile({ ...base, extraParams: { [name]: 'x' } }), { code: 'PROFILE_INVALID' }, name);
  }
  assert.throws(() => parseProfile({ ...base, extraParams: { response_mode: 'form_post' } }), (error: unknown) => error instanceof Error && /response_mode/.test(error.message));
  for (const maxAge of ['-1', '1.5', 'abc', '', '01']) {
    assert.throws(() => parseProfile({ ...base, extraParams: { max_age: maxAge } }), { code: 'PROFILE_INVALID' }, maxAge);
  }
  assert.deepEqual(parseProfile({ ...base, extraParams: { max_age: '0' } }).extraParams, { max_age: '0' });
  assert.deepEqual(parseProfile({ ...base, extraParams: { max_age: '3600' } }).extraParams, { max_age: '3600' });
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

test('a refused redirect or issuer is not echoed in the error (it may be a pasted secret)', () => {
  const secret = 'eyJhbGciOiJSUzI1NiJ9-pasted-token';
  for (const redirect of [`http://localhost:1/${secret}`, `http://127.0.0.1/${secret}`, `http://127.0.0.1:1/${secret}?x`, `myapp:/${secret}`, `com.example.app:/${secret}#f`]) {
    assert.throws(() => parseProfile({ ...base, redirect }), (error: unknown) => error instanceof Error && !error.message.includes(secret), redirect);
  }
  for (const issuer of [`${secret}`, `https://${secret} x`, `https://idp.example.com/?${secret}`]) {
    assert.throws(() => parseProfile({ ...base, issuer }), (error: unknown) => error instanceof Error && !error.message.includes(secret), issuer);
  }
});

/** C0 controls (TAB, CR and LF included, which the WHATWG URL parser strips silently), DEL and C1 controls. */
const CONTROLS = ['\t', '\n', '\r', '\x00', '\x07', '\x1b', '\x1f', '\x7f', '\x80', '\x85', '\x9b', '\x9f'];

test('issuers and redirect URIs with control characters are refused (ISSUER_INVALID / REDIRECT_SCHEME_INVALID)', () => {
  for (const c of CONTROLS) {
    const shown = `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    for (const issuer of [`https://dev-123.okta.com/oauth2/def${c}ault`, `https://dev-123.okta.com${c}`, `${c}https://dev-123.okta.com`]) {
      assert.throws(() => parseProfile({ ...base, issuer }), { code: 'ISSUER_INVALID' }, `issuer with ${shown}`);
    }
    assert.throws(() => parseProfile({ ...base, issuer: `http://127.0.0.1:3000/x${c}`, allowHttpLoopback: true }), { code: 'ISSUER_INVALID' }, `http issuer with ${shown}`);
    for (const redirect of [`com.okta.dev-123:/call${c}back`, `com.okta.dev-123:/callback${c}`, `http://127.0.0.1:8765/call${c}back`, `http://127.0.0.1:87${c}65/callback`]) {
      assert.throws(() => parseProfile({ ...base, redirect }), { code: 'REDIRECT_SCHEME_INVALID' }, `redirect with ${shown}`);
    }
    assert.throws(() => parseProfile({ ...base, redirect: { kind: 'custom-scheme', uri: `com.okta.dev-123:/cb${c}` } }), { code: 'REDIRECT_SCHEME_INVALID' }, `stored custom redirect with ${shown}`);
    assert.throws(() => parseProfile({ ...base, redirect: { kind: 'loopback', uri: `http://127.0.0.1:8765/cb${c}` } }), { code: 'REDIRECT_SCHEME_INVALID' }, `stored loopback redirect with ${shown}`);
  }
  for (const c of ['\x7f', '\x85', '\x9b']) assert.throws(() => parseProfile({ ...base, clientId: `0oa1${c}abc` }), { code: 'PROFILE_INVALID' });
  // Printable non-ASCII stays allowed in paths (IRIs are percent-encoded on the wire).
  assert.equal(parseProfile({ ...base, issuer: 'https://idp.example.com/tenant-é' }).issuer, 'https://idp.example.com/tenant-é');
});

test('a profiles file entry with a control character is refused on read, never returned', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-profile-'));
  try {
    for (const [field, value] of [['issuer', 'https://dev-123.okta.com/oauth2/\x1b[31mdefault'], ['issuer', 'https://dev-123.okta.com/oauth2/de\tfault'], ['redirect', { kind: 'custom-scheme', uri: 'com.okta.dev-123:/call\x85back' }], ['redirect', { kind: 'loopback', uri: 'http://127.0.0.1:8765/call\nback' }]] as const) {
      const entry = { name: 'okta', issuer: base.issuer, clientId: base.clientId, scopes: ['openid'], redirect: { kind: 'app-scheme' }, allowHttpLoopback: false, extraParams: {}, [field]: value };
      await writeFile(join(dir, 'profiles.json'), JSON.stringify({ schemaVersion: 1, profiles: [entry] }), { mode: 0o600 });
      const store = new ProfileStore(dir, Date.now);
      await assert.rejects(store.list(), { code: 'INDEX_CORRUPT' }, `${field} ${JSON.stringify(value)}`);
      for (const name of await readdir(dir)) await rm(join(dir, name), { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** What a provider's device authorization response may put in front of a person: checked before any front shows or opens it (RFC 8628 §3.3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertUserCode, assertVerificationUri } from '../../../../src-main/core/oauth/device-authorization.ts';
import { isDeskError } from '../../../../src-main/core/errors.ts';

const refused = (fn: () => unknown, what: string): void => assert.throws(fn, (e: unknown) => isDeskError(e, 'DEVICE_AUTHORIZATION_INVALID') && !e.message.includes('evil'), what);

test('a verification URI is https, or http on loopback only for a profile that allows a local provider', () => {
  assert.equal(assertVerificationUri('https://dev-123.okta.com/activate', false), 'https://dev-123.okta.com/activate');
  assert.equal(assertVerificationUri('https://microsoft.com/devicelogin', false), 'https://microsoft.com/devicelogin', 'another host than the issuer is the provider\'s right');
  assert.equal(assertVerificationUri('http://127.0.0.1:9400/device', true), 'http://127.0.0.1:9400/device');
  assert.equal(assertVerificationUri('http://[::1]:9400/device?user_code=AB-CD', true), 'http://[::1]:9400/device?user_code=AB-CD');
  refused(() => assertVerificationUri('http://127.0.0.1:9400/device', false), 'http on loopback without the profile\'s permission');
  refused(() => assertVerificationUri('http://evil.example/device', true), 'http on a remote host');
  refused(() => assertVerificationUri('javascript:alert(1)//evil', true), 'javascript:');
  refused(() => assertVerificationUri('file:///etc/evil', true), 'file:');
  refused(() => assertVerificationUri('data:text/html,evil', true), 'data:');
  refused(() => assertVerificationUri('https://user:evil@example.com/', false), 'credentials');
  refused(() => assertVerificationUri('https://example.com/\tevil', false), 'a tab the URL parser would drop');
  refused(() => assertVerificationUri('https://example.com/\u202eevil', false), 'a right-to-left override');
  refused(() => assertVerificationUri('https://example.com/ evil', false), 'white space');
  refused(() => assertVerificationUri(`https://example.com/${'a'.repeat(2048)}`, false), 'too long');
  refused(() => assertVerificationUri(42, false), 'not a string');
  refused(() => assertVerificationUri('not a url', false), 'not a URL');
});

test('a user code is short printable text', () => {
  for (const code of ['WDJB-MJHT', '123 456', 'ÄÖÜ-ßÉ', 'a.b/c+d']) assert.equal(assertUserCode(code), code);
  refused(() => assertUserCode('WDJB\u001b[31mevil'), 'an escape sequence');
  refused(() => assertUserCode('WDJB\nevil'), 'a line break');
  refused(() => assertUserCode('WDJB\u202eevil'), 'a right-to-left override');
  refused(() => assertUserCode('WDJB\u200bevil'), 'a zero-width space');
  refused(() => assertUserCode('W'.repeat(65)), 'too long');
  refused(() => assertUserCode('   '), 'blank');
  refused(() => assertUserCode(''), 'empty');
  refused(() => assertUserCode(12345678), 'not a string');
});

/** Credentials a person chose or a provider issued once (password, client secret, HTTP Basic) are masked whole: no fingerprint to guess them from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint, MASKED, redactBody, redactHeaders, redactUrl } from '../../../../src-main/core/http/redact.ts';
import { oauthErrorResponse } from '../../../../src-main/core/oauth/oauth-errors.ts';

const PASSWORD = 'hunter2';
const SECRET = 'short-secret';

test('a password or client secret in a form body, a query or JSON is masked without a fingerprint', () => {
  const form = redactBody(`grant_type=password&username=carol&password=${PASSWORD}&client_id=c&client_secret=${SECRET}`, 'application/x-www-form-urlencoded');
  assert.ok(!form.includes(fingerprint(PASSWORD)) && !form.includes(fingerprint(SECRET)), 'no fingerprint of a guessable secret');
  assert.ok(!form.includes(PASSWORD) && !form.includes(SECRET));
  assert.match(form, /username=carol/, 'the username stays readable');
  const params = new URLSearchParams(form);
  assert.equal(params.get('password'), MASKED);
  assert.equal(params.get('client_secret'), MASKED);
  const json = redactBody(JSON.stringify({ password: PASSWORD, client_secret: SECRET }), 'application/json');
  assert.deepEqual(JSON.parse(json), { password: MASKED, client_secret: MASKED });
  assert.ok(!redactUrl(`https://idp.example/token?password=${PASSWORD}`).includes(fingerprint(PASSWORD)));
});

test('HTTP Basic client credentials are masked whole; a bearer token keeps its fingerprint', () => {
  const basic = Buffer.from(`c:${SECRET}`).toString('base64');
  const headers = redactHeaders(new Headers({ authorization: `Basic ${basic}` }));
  assert.equal(headers['authorization'], `Basic ${MASKED}`);
  assert.equal(redactHeaders(new Headers({ authorization: 'Bearer abcdefghijklmnopqrstuvwxyz0123' }))['authorization'], `Bearer ${fingerprint('abcdefghijklmnopqrstuvwxyz0123')}`);
});

test('unauthorized_client and unsupported_grant_type are UNAUTHORIZED_CLIENT (RFC 6749 §5.2)', () => {
  assert.equal(oauthErrorResponse('unauthorized_client', undefined, 400, undefined).code, 'UNAUTHORIZED_CLIENT');
  assert.equal(oauthErrorResponse('unsupported_grant_type', undefined, 400, undefined).code, 'UNAUTHORIZED_CLIENT');
  assert.equal(oauthErrorResponse('invalid_client', undefined, 401, undefined).code, 'INVALID_CLIENT');
});

/** Okta's Authentication API and session-token authorize request: their secrets are masked in the exchange log like the OAuth ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint, MASKED, redactBody, redactHeaders, redactUrl } from '../../../../src-main/core/http/redact.ts';

const SESSION_TOKEN = '20111h0ZlxjyDfN5cZHsPq5HHlrH0ZnKjHyCoJRqjUSdR7ZvQMMWU3d';
const STATE_TOKEN = '007ucIX7PATyn94hsHfOLVaXAmOBkKHWnOOLG43bsb';
const PASSWORD = 'correct-horse-battery-staple';

test('a session token in an authorization request URL is masked', () => {
  const url = redactUrl(`https://dev-1.okta.com/oauth2/v1/authorize?client_id=c&sessionToken=${SESSION_TOKEN}&prompt=none`);
  assert.ok(!url.includes(SESSION_TOKEN));
  assert.ok(url.includes(`sessionToken=${encodeURIComponent(fingerprint(SESSION_TOKEN))}`), 'a fingerprint stands in for it');
  assert.match(url, /client_id=c/, 'other parameters stay');
});

test('the Authentication API\'s request and answers: password, session token and state token masked', () => {
  const request = redactBody(JSON.stringify({ username: 'alice', password: PASSWORD, options: { warnBeforePasswordExpired: false } }), 'application/json');
  assert.ok(!request.includes(PASSWORD) && !request.includes(fingerprint(PASSWORD)));
  assert.ok(request.includes(`"password":"${MASKED}"`));
  const success = redactBody(JSON.stringify({ status: 'SUCCESS', sessionToken: SESSION_TOKEN, expiresAt: '2030-01-01T00:00:00.000Z' }), 'application/json');
  assert.ok(!success.includes(SESSION_TOKEN));
  assert.match(success, /"status":"SUCCESS"/);
  const mfa = redactBody(JSON.stringify({ status: 'MFA_REQUIRED', stateToken: STATE_TOKEN, _embedded: { factors: [] } }), 'application/json');
  assert.ok(!mfa.includes(STATE_TOKEN));
});

test('the authorize request\'s redirect: code and state in the Location masked, Okta\'s session cookie too', () => {
  const headers = redactHeaders(new Headers([
    ['location', 'http://127.0.0.1/callback?code=abcdefgh12345678&state=state-value-123456&iss=https%3A%2F%2Fdev-1.okta.com'],
    ['set-cookie', `sid=${SESSION_TOKEN}; Path=/`],
  ]));
  assert.ok(!JSON.stringify(headers).includes('abcdefgh12345678'));
  assert.ok(!JSON.stringify(headers).includes('state-value-123456'));
  assert.ok(!JSON.stringify(headers).includes(SESSION_TOKEN));
});

/**
 * Okta's Authentication API answers narrowed and mapped: where the API is for both kinds of issuer, the
 * session token of a SUCCESS, each other status and error with its code, and the shapes Okta never sends
 * refused; no message or description carries the credentials.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeskError } from '../../../../src-main/core/errors.ts';
import { fingerprint } from '../../../../src-main/core/http/redact.ts';
import { authnEndpoint, readAuthnAnswer, type AuthnAnswer } from '../../../../src-main/core/oauth/okta-authn.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const CREDENTIALS = { username: 'alice@example.com', password: 'Tr0ub4dor&3-and-more' };

function answer(status: number, body: unknown, headers: Record<string, string> = {}): AuthnAnswer {
  return { status, headers: new Headers({ 'content-type': 'application/json', ...headers }), body: typeof body === 'string' ? body : JSON.stringify(body) };
}

function refused(a: AuthnAnswer): DeskError {
  try {
    readAuthnAnswer(a, NOW, CREDENTIALS);
  } catch (error) {
    assert.ok(error instanceof DeskError);
    const shown = JSON.stringify(error.toJSON());
    for (const secret of [CREDENTIALS.password, fingerprint(CREDENTIALS.password), CREDENTIALS.username]) assert.ok(!shown.includes(secret), 'no credential in what is shown');
    return error;
  }
  assert.fail('the answer must be refused');
}

test('the Authentication API is at the issuer\'s origin, for the org and custom authorization servers', () => {
  assert.equal(authnEndpoint('https://dev-123456.okta.com'), 'https://dev-123456.okta.com/api/v1/authn');
  assert.equal(authnEndpoint('https://dev-123456.okta.com/oauth2/default'), 'https://dev-123456.okta.com/api/v1/authn');
  assert.equal(authnEndpoint('https://login.example.com/oauth2/aus1a2b3c4'), 'https://login.example.com/api/v1/authn');
  assert.equal(authnEndpoint('http://127.0.0.1:4000'), 'http://127.0.0.1:4000/api/v1/authn');
});

test('SUCCESS gives the session token and its expiry', () => {
  const token = readAuthnAnswer(answer(200, { status: 'SUCCESS', sessionToken: '20111h0ZlxjyDfN5cZHsPq5HHlr', expiresAt: '2030-01-01T00:05:00.000Z', _embedded: { user: { id: '00u1' } } }), NOW, CREDENTIALS);
  assert.deepEqual(token, { sessionToken: '20111h0ZlxjyDfN5cZHsPq5HHlr', expiresAt: NOW + 300_000 });
});

test('each other status has its code', () => {
  assert.equal(refused(answer(200, { status: 'MFA_REQUIRED', stateToken: 'st' })).code, 'OKTA_MFA_REQUIRED');
  assert.equal(refused(answer(200, { status: 'MFA_ENROLL', stateToken: 'st' })).code, 'OKTA_MFA_REQUIRED');
  assert.equal(refused(answer(200, { status: 'MFA_CHALLENGE', stateToken: 'st' })).code, 'OKTA_MFA_REQUIRED');
  assert.equal(refused(answer(200, { status: 'LOCKED_OUT' })).code, 'OKTA_LOCKED_OUT');
  assert.equal(refused(answer(200, { status: 'PASSWORD_EXPIRED', stateToken: 'st' })).code, 'OKTA_PASSWORD_EXPIRED');
  for (const status of ['PASSWORD_WARN', 'RECOVERY', 'RECOVERY_CHALLENGE', 'PASSWORD_RESET', 'UNAUTHENTICATED']) {
    const error = refused(answer(200, { status, stateToken: 'st' }));
    assert.equal(error.code, 'OKTA_AUTHN_UNSUPPORTED');
    assert.match(error.message, /browser/);
  }
  const unknown = refused(answer(200, { status: 'SOMETHING_NEW' }));
  assert.equal(unknown.code, 'OKTA_AUTHN_UNSUPPORTED');
  assert.ok(!unknown.message.includes('SOMETHING_NEW'), 'an unknown status is not repeated');
});

test('shapes Okta never sends are refused: OKTA_AUTHN_FAILED', () => {
  for (const body of ['<html>sign in</html>', '', 'null', '[]', { status: 5 }, { status: 'success' }, { status: 'SUCCESS\u001b[2J' }, { status: 'SUCCESS' }, { status: 'SUCCESS', sessionToken: '' }, { status: 'SUCCESS', sessionToken: 'has space' }, { status: 'SUCCESS', sessionToken: 'x'.repeat(2049) }, { status: 'SUCCESS', sessionToken: 42 }]) {
    assert.equal(refused(answer(200, body)).code, 'OKTA_AUTHN_FAILED', JSON.stringify(body).slice(0, 60));
  }
});

test('bad credentials: 401 E0000004; what Okta says is shown without the credentials it may echo', () => {
  const error = refused(answer(401, { errorCode: 'E0000004', errorSummary: `Authentication failed for ${CREDENTIALS.username} with ${CREDENTIALS.password}`, errorCauses: [] }));
  assert.deepEqual([error.code, error.status, error.oauthError], ['OKTA_INVALID_CREDENTIALS', 401, 'E0000004']);
  assert.match(error.oauthErrorDescription ?? '', /\[username\] with \[password\]/);
  const escaped = refused(answer(401, { errorCode: 'E0000004', errorSummary: 'Authentication\u001b]0;pwned\u0007 failed\u001b[2J', errorCauses: [{ errorSummary: 'line\nbreak' }] }));
  assert.doesNotMatch(escaped.oauthErrorDescription ?? '', /[\u0000-\u001f\u007f]/, 'no terminal escape or line break from Okta\'s text');
  assert.equal(refused(answer(401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided' })).code, 'OKTA_AUTHN_FAILED');
});

test('the rate limit: OKTA_RATE_LIMITED with the wait from Retry-After, or from X-Rate-Limit-Reset on the server\'s clock', () => {
  const body = { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' };
  assert.match(refused(answer(429, body, { 'retry-after': '17' })).message, /wait 17 s/);
  assert.match(refused(answer(429, body, { 'retry-after': new Date(NOW + 30_000).toUTCString() })).message, /wait 30 s/);
  const serverNow = NOW + 3_600_000;
  const reset = refused(answer(429, body, { date: new Date(serverNow).toUTCString(), 'x-rate-limit-reset': String(Math.floor(serverNow / 1000) + 25) }));
  assert.deepEqual([reset.code, reset.status], ['OKTA_RATE_LIMITED', 429]);
  assert.match(reset.message, /wait 25 s/);
  assert.match(refused(answer(429, 'slow down')).message, /wait a minute/);
});

test('other refusals: a server failure is HTTP_STATUS, a missing API or another Okta error OKTA_AUTHN_FAILED', () => {
  assert.equal(refused(answer(503, '')).code, 'HTTP_STATUS');
  const missing = refused(answer(404, '<html>Not Found</html>', { 'content-type': 'text/html' }));
  assert.equal(missing.code, 'OKTA_AUTHN_FAILED');
  assert.match(missing.message, /not an Okta org/);
  const denied = refused(answer(403, { errorCode: 'E0000006', errorSummary: 'You do not have permission to perform the requested action' }));
  assert.deepEqual([denied.code, denied.oauthError], ['OKTA_AUTHN_FAILED', 'E0000006']);
  assert.equal(refused(answer(400, { errorCode: 'not-okta\nforged', errorSummary: 'x' })).oauthError, undefined, 'an error code not of Okta\'s form is not shown');
});

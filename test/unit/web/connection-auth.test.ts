/** The connection token of browser mode on its own: 256 bits, exchanged for sessions of their own, wrong tokens rate-limited; the session cookie's attributes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionAuth, FREE_TOKEN_FAILURES, MAX_LOCKOUT_MS, MAX_SESSIONS, cookieValues, sameSecret, sessionCookie } from '../../../src-main/web/connection-auth.ts';

test('a fresh 256-bit token per start; the right token gives a session secret that is not the token; sessions are told apart from anything else', () => {
  const auth = new ConnectionAuth();
  assert.match(auth.token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(new ConnectionAuth().token, auth.token);
  const outcome = auth.exchange(auth.token);
  assert.equal(outcome.kind, 'accepted');
  const session = outcome.kind === 'accepted' ? outcome.session : '';
  assert.match(session, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(session, auth.token);
  assert.equal(auth.isSession([session]), true);
  assert.equal(auth.isSession(['forged', session]), true, 'a namesake cookie set by another page does not hide ours');
  assert.equal(auth.isSession([auth.token]), false, 'the token is not a session');
  assert.equal(auth.isSession([]), false);
  assert.equal(new ConnectionAuth().isSession([session]), false, 'a session of another start');
});

test('wrong tokens: free a few times, then each closes the exchange twice as long (at most a minute), during which even the right one is not compared', () => {
  let now = 1_000_000;
  const auth = new ConnectionAuth(() => now);
  for (let i = 0; i < FREE_TOKEN_FAILURES; i += 1) assert.equal(auth.exchange('wrong').kind, 'refused');
  assert.equal(auth.exchange(auth.token).kind, 'accepted', 'still open after the free failures');
  const waits: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    assert.equal(auth.exchange('wrong').kind, 'refused');
    const locked = auth.exchange(auth.token);
    assert.equal(locked.kind, 'locked');
    const seconds = locked.kind === 'locked' ? locked.retryAfterSeconds : 0;
    waits.push(seconds);
    now += seconds * 1000;
  }
  assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60].map((s) => Math.min(s, MAX_LOCKOUT_MS / 1000)));
  assert.equal(auth.failures, FREE_TOKEN_FAILURES + 10, 'attempts while closed are not counted');
  assert.equal(auth.exchange(auth.token).kind, 'accepted', 'open again once the wait is over');
});

test('sessions beyond the limit push out the oldest', () => {
  const auth = new ConnectionAuth();
  const sessions = Array.from({ length: MAX_SESSIONS + 1 }, () => {
    const o = auth.exchange(auth.token);
    return o.kind === 'accepted' ? o.session : '';
  });
  assert.equal(auth.isSession([sessions[0] ?? '']), false);
  assert.equal(auth.isSession([sessions[1] ?? '']), true);
  assert.equal(auth.isSession([sessions.at(-1) ?? '']), true);
});

test('secrets compare by content whatever their length; the cookie is HttpOnly, SameSite=Strict, Path=/, per port, with every namesake read', () => {
  assert.equal(sameSecret('abc', 'abc'), true);
  assert.equal(sameSecret('abc', 'abd'), false);
  assert.equal(sameSecret('abc', 'abcd'), false);
  assert.equal(sameSecret('', ''), true);
  assert.equal(sessionCookie(8123, 'S'), 'oidc-desk-8123=S; HttpOnly; SameSite=Strict; Path=/');
  assert.deepEqual(cookieValues('a=1; oidc-desk-8123=x; oidc-desk-81234=y;oidc-desk-8123=z', 'oidc-desk-8123'), ['x', 'z']);
  assert.deepEqual(cookieValues(undefined, 'oidc-desk-8123'), []);
  assert.deepEqual(cookieValues('oidc-desk-8123', 'oidc-desk-8123'), []);
});

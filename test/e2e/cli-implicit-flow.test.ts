/**
 * `oidc-desk` with an implicit profile (legacy), end to end with the built CLI, the local oidc-provider
 * (implicit and hybrid response types, access tokens of a few seconds), Chromium and the real keychain:
 * `profile add` and `login` warn; the provider's form post reaches the loopback listener; the session is
 * printed with where its tokens came from; `token` answers from the cache until the access token has run
 * out, then says to sign in again (no refresh token, no silent sign-in, no request).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertFailed, BROWSER_COMMAND, Cli, endCliRuns, isRecord, KEYRING, NO_KEYRING, SESSION_ID, succeeded } from '../harness/cli-runner.ts';
import { FRONT_CHANNEL_CLIENT_ID, startFrontChannelIdp } from '../harness/front-channel-idp.ts';
import type { TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

const TTL_SECONDS = 3;
let idp: TestIdp;

before(async () => {
  idp = await startFrontChannelIdp({ ttl: { accessToken: TTL_SECONDS } });
});
after(async () => {
  await idp?.stop();
  endCliRuns();
});

test('implicit profile on loopback: warned, signed in through the form post, token from the cache, then "sign in again"', { skip: KEYRING ? false : NO_KEYRING, timeout: 180_000 }, async () => {
  const cli = await Cli.create();
  const add = succeeded(await cli.run(['profile', 'add', 'legacy', '--issuer', idp.issuer, '--client-id', FRONT_CHANNEL_CLIENT_ID, '--allow-http-loopback', '--flow', 'implicit', '--response-type', 'id_token token', '--scope', 'openid profile']));
  assert.match(add.stderr, /RFC 9700/, 'the legacy warning when the profile is made');
  assert.match(add.stderr, /response_mode=form_post/);
  const listed = await cli.json(['profile', 'list']) as Record<string, unknown>[];
  assert.deepEqual(listed.map((p) => [p['flow'], p['responseType']]), [['implicit', 'id_token token']]);
  assertFailed(await cli.run(['profile', 'add', 'bad', '--issuer', idp.issuer, '--client-id', FRONT_CHANNEL_CLIENT_ID, '--allow-http-loopback', '--flow', 'implicit']), 2, 'PROFILE_INVALID');

  await idp.resetCounts();
  const login = succeeded(await cli.run(['login', 'legacy', '--browser-command', BROWSER_COMMAND, '--timeout', '90']));
  assert.match(login.stdout, /^s-[0-9a-f]{8}\n$/, 'login prints exactly the session id');
  const id = login.stdout.trim();
  assert.match(id, SESSION_ID);
  assert.match(login.stderr, /warning: Legacy flow: the implicit flow/, 'the legacy warning at every sign-in');
  assert.match(login.stderr, /Signed in as Alice Example \(user-alice\)/);
  assert.match(login.stderr, /Legacy implicit flow, response_type=id_token token: access token from the browser's redirect \(front channel\), ID token from the browser's redirect/);
  assert.match(login.stderr, /issues no refresh token/);
  const counts = await idp.counts();
  assert.equal(counts['authorization'], 1);
  assert.equal(Object.keys(counts).some((k) => k.startsWith('token:')), false, 'the implicit flow makes no token request');

  const sessions = await cli.json(['sessions']) as Record<string, unknown>[];
  const session = sessions.find((s) => s['id'] === id);
  assert.ok(isRecord(session));
  assert.deepEqual([session['status'], session['storage'], session['subject']], ['active', 'none', 'user-alice']);
  assert.deepEqual(session['legacy'], { flow: 'implicit', responseType: 'id_token token', accessToken: 'front-channel', idToken: 'front-channel' });

  // Another command, another process: the access token comes from the encrypted cache.
  const first = succeeded(await cli.run(['token', id, '--min-valid', '0'])).stdout.trim();
  recordSecrets(first);
  assert.ok(first.length > 20);
  recordSecrets(succeeded(await cli.run(['token', id, '--type', 'id'])).stdout.trim());

  await sleep(TTL_SECONDS * 1000 + 500);
  await idp.resetCounts();
  const expired = await cli.run(['token', id, '--min-valid', '0']);
  assertFailed(expired, 3, 'SIGN_IN_NEEDED');
  assert.match(expired.stderr, /implicit flow, which issues no refresh token/);
  assert.match(expired.stderr, /sign in again/i);
  assertFailed(await cli.run(['refresh', id]), 3, 'SIGN_IN_NEEDED');
  assert.deepEqual(await idp.counts(), {}, 'nothing was sent: no refresh, no silent sign-in');
  const after = await cli.json(['sessions']) as Record<string, unknown>[];
  assert.equal(after.find((s) => s['id'] === id)?.['status'], 'expired');
  succeeded(await cli.run(['logout', id]));
});

/**
 * `oidc-desk token` and the token cache shared by every process, end to end against the local provider
 * with the real keychain: a second process answers from the cache with no request at the provider;
 * `--min-valid` asks for more validity than the cached token has and refreshes once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { Cli, KEYRING, NO_KEYRING, endCliRuns } from '../harness/cli-runner.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(async () => {
  await idp?.stop();
  endCliRuns();
});

test('token in two processes: the second makes no request at the provider; --min-valid beyond the cached token refreshes once', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await Cli.create();
  const add = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent']);
  assert.equal(add.code, 0, add.stderr);
  const id = await cli.login('local');
  await idp.resetCounts();
  const first = await cli.run(['token', id]);
  const second = await cli.run(['token', id]);
  recordSecrets(first.stdout.trim());
  assert.equal(first.code, 0, first.stderr);
  assert.equal(second.stdout, first.stdout, 'the same access token, from the cache');
  assert.deepEqual(await idp.counts(), {}, 'no request of any kind reached the provider');
  const idToken = await cli.run(['token', id, '--type', 'id']);
  assert.equal(idToken.code, 0, idToken.stderr);
  recordSecrets(idToken.stdout.trim());
  assert.deepEqual(await idp.counts(), {});

  const fresh = await cli.run(['token', id, '--min-valid', '86400']);
  assert.equal(fresh.code, 0, fresh.stderr);
  recordSecrets(fresh.stdout.trim());
  assert.notEqual(fresh.stdout, first.stdout, 'a new access token');
  assert.equal((await idp.counts())['token:refresh_token'], 1);
  const after = await cli.run(['token', id]);
  assert.equal(after.stdout, fresh.stdout, 'the next process uses the refreshed token');
  assert.equal((await idp.counts())['token:refresh_token'], 1);
});

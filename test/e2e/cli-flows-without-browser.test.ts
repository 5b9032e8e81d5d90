/**
 * `oidc-desk login` for the flows without a browser, end to end with the built CLI, the local provider
 * (client credentials enabled, the test-only password grant of test/harness/password-grant.ts) and the real
 * keychain: the client secret from stdin into the keychain, `token` answered from the cache and the grant
 * run again once the token ran out, the password from stdin with the legacy warning, the refusals with
 * their codes, and neither the secret nor the password in any output or data file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprint } from '../../src-main/core/http/redact.ts';
import { clientAccount } from '../../src-main/core/store/client-credential.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { assertFailed, Cli, dataFilesText, endCliRuns, KEYRING, neverPrinted, NO_KEYRING, SESSION_ID, succeeded, transcript } from '../harness/cli-runner.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { passwordClient, serviceClient, testSecret, testUser } from '../harness/service-clients.ts';

const SECRET = testSecret('cli-secret');
const WRONG = testSecret('cli-wrong');
const USER = testUser();
const TTL_SECONDS = 3;

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({
    users: [USER],
    clients: [serviceClient('svc', SECRET, 'client_secret_basic'), passwordClient('pw')],
    grants: { clientCredentials: true, password: true, apiScopes: ['api:read', 'api:write'], clientCredentialsTtl: TTL_SECONDS },
  });
  neverPrinted.push(SECRET, WRONG, USER.password, fingerprint(SECRET), fingerprint(USER.password));
});
after(async () => {
  await idp?.stop();
  endCliRuns();
});

test('client credentials: the secret from stdin to the keychain, a token without a browser, the grant run again once it ran out', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const cli = await Cli.create();
  succeeded(await cli.run(['profile', 'add', 'svc', '--issuer', idp.issuer, '--client-id', 'svc', '--allow-http-loopback', '--flow', 'client_credentials', '--scope', 'api:read']));
  assertFailed(await cli.run(['login', 'svc']), 2, 'CLIENT_SECRET_MISSING');
  assert.equal((await idp.counts())['token:client_credentials'], undefined, 'nothing was sent');

  succeeded(await cli.start(['profile', 'secret', 'svc', '--client-secret-stdin'], {}, false, `${WRONG}\n`).done);
  assertFailed(await cli.run(['login', 'svc']), 3, 'INVALID_CLIENT');

  await idp.resetCounts();
  const login = succeeded(await cli.start(['login', 'svc', '--client-secret-stdin'], {}, false, `${SECRET}\n`).done);
  assert.match(login.stdout, /^s-[0-9a-f]{8}\n$/, 'login prints exactly the session id');
  const id = login.stdout.trim();
  assert.match(id, SESSION_ID);
  const stored = await new KeytarSecretStore({ service: cli.service }).getClient(clientAccount(idp.issuer, 'svc'));
  assert.ok(stored.kind === 'found' && stored.credential.secret === SECRET, 'the secret is in the OS keychain, bound to its issuer and client');

  const sessions = await cli.json(['sessions']) as Record<string, unknown>[];
  assert.deepEqual(sessions.map((s) => [s['id'], s['subject'], s['status']]), [[id, 'svc', 'active']]);
  const first = succeeded(await cli.run(['token', id, '--min-valid', '0'])).stdout.trim();
  recordSecrets(first);
  assert.equal((await idp.counts())['token:client_credentials'], 1, 'the token came from the cache');
  await sleep(TTL_SECONDS * 1000 + 500);
  const second = succeeded(await cli.run(['token', id, '--min-valid', '0'])).stdout.trim();
  recordSecrets(second);
  assert.notEqual(second, first);
  assert.equal((await idp.counts())['token:client_credentials'], 2, 'the expired token was replaced by running the grant again');
  assertFailed(await cli.run(['token', id, '--type', 'id']), 3, 'NO_ID_TOKEN');

  const everything = transcript.join('\n') + await dataFilesText(cli.dataDir);
  for (const s of [SECRET, WRONG, fingerprint(SECRET), fingerprint(WRONG)]) assert.ok(!everything.includes(s), 'no form of a client secret in any output or data file');
  succeeded(await cli.run(['logout', id]));
});

test('password (legacy): warned, the password from stdin used once, refused with INVALID_GRANT when wrong, found nowhere', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const cli = await Cli.create();
  const add = succeeded(await cli.run(['profile', 'add', 'pw', '--issuer', idp.issuer, '--client-id', 'pw', '--allow-http-loopback', '--flow', 'password', '--scope', 'openid profile offline_access']));
  assert.match(add.stderr, /RFC 9700/, 'the legacy warning when the profile is made');
  assertFailed(await cli.run(['login', 'pw']), 2, 'USAGE');
  assertFailed(await cli.run(['login', 'pw', '--username', USER.username]), 2, 'USAGE');
  const wrongPassword = testSecret('cli-not-the-password');
  neverPrinted.push(wrongPassword, fingerprint(wrongPassword));
  assertFailed(await cli.start(['login', 'pw', '--username', USER.username, '--password-stdin'], {}, false, `${wrongPassword}\n`).done, 3, 'INVALID_GRANT');

  const login = succeeded(await cli.start(['login', 'pw', '--username', USER.username, '--password-stdin'], {}, false, `${USER.password}\n`).done);
  assert.match(login.stderr, /RFC 9700/, 'the legacy warning at every sign-in');
  assert.match(login.stderr, /Signed in as Carol Example \(user-carol\)/);
  const id = login.stdout.trim();
  assert.match(id, SESSION_ID);
  await cli.storedRefreshToken(id);
  const refreshed = await cli.json(['refresh', id]) as Record<string, unknown>;
  assert.equal(refreshed['status'], 'active');
  recordSecrets(succeeded(await cli.run(['token', id])).stdout.trim());

  const everything = transcript.join('\n') + await dataFilesText(cli.dataDir);
  for (const s of [USER.password, fingerprint(USER.password), wrongPassword, fingerprint(wrongPassword)]) assert.ok(!everything.includes(s), 'no form of a password in any output or data file');
});

test('private_key_jwt: "profile key" prints the public JWK to register, never the private key', { skip: KEYRING ? false : NO_KEYRING, timeout: 60_000 }, async () => {
  const cli = await Cli.create();
  succeeded(await cli.run(['profile', 'add', 'jwt', '--issuer', idp.issuer, '--client-id', 'svc-jwt', '--allow-http-loopback', '--flow', 'client_credentials', '--client-auth', 'private_key_jwt']));
  const printed = await cli.json(['profile', 'key', 'jwt']) as { keys: Record<string, string>[]; thumbprint: string };
  const [jwk] = printed.keys;
  assert.ok(jwk !== undefined);
  assert.deepEqual([jwk['kty'], jwk['alg'], jwk['kid'], jwk['d']], ['EC', 'ES256', printed.thumbprint, undefined]);
  const again = await cli.json(['profile', 'key', 'jwt']) as { thumbprint: string };
  assert.equal(again.thumbprint, printed.thumbprint, 'the same key until --new');
  const fresh = await cli.json(['profile', 'key', 'jwt', '--new', '--alg', 'RS256']) as { keys: Record<string, string>[] };
  assert.equal(fresh.keys[0]?.['kty'], 'RSA');
  const stored = await new KeytarSecretStore({ service: cli.service }).getClient(clientAccount(idp.issuer, 'svc-jwt'));
  const d = stored.kind === 'found' ? stored.credential.privateJwk?.['d'] : undefined;
  assert.ok(d !== undefined, 'the private key is in the keychain');
  recordSecrets(d);
  assert.ok(!(transcript.join('\n') + await dataFilesText(cli.dataDir)).includes(d), 'and nowhere else');
  assertFailed(await cli.run(['profile', 'add', 'bad', '--issuer', idp.issuer, '--client-id', 'c', '--allow-http-loopback', '--flow', 'client_credentials', '--client-auth', 'none']), 2, 'PROFILE_INVALID');
});

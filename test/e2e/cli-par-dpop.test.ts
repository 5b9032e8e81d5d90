/**
 * A DPoP profile that pushes its authorization requests, end to end with the built CLI, the local provider
 * (oidc-provider: PAR offered, DPoP nonces required), Chromium as the browser command and the real keychain:
 * `profile add --dpop --par always`, `login` (pushed, the code exchange with its nonce retry), `token` (the
 * access token, said to be DPoP-bound), `refresh` and `userinfo` in new processes (the key from the keychain,
 * one nonce retry each), `sessions --json`; neither the refresh token nor the private key in any output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint } from 'jose';
import * as oauth from 'oauth4webapi';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { BROWSER_COMMAND, Cli, KEYRING, NO_KEYRING, SESSION_ID, endCliRuns, isRecord, neverPrinted, type CliRun } from '../harness/cli-runner.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { freePort } from '../harness/ports.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ dpop: { nonces: true } });
});
after(async () => {
  await idp?.stop();
  endCliRuns();
});

function ok(r: CliRun): CliRun {
  assert.equal(r.code, 0, `exit ${r.code ?? r.signal}:\n${r.stderr}`);
  return r;
}

async function introspect(token: string): Promise<oauth.IntrospectionResponse> {
  const options = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(new URL(idp.issuer), await oauth.discoveryRequest(new URL(idp.issuer), options));
  const client = { client_id: 'oidc-desk' };
  return oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, oauth.None(), token, options));
}

test('profile add --dpop --par always, login, token, refresh, userinfo: pushed, DPoP-bound to the key in the keychain', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await Cli.create();
  // A pushed request's URL carries no redirect_uri: a fixed loopback redirect tells the browser agent where to wait.
  const redirect = `http://127.0.0.1:${await freePort()}/callback`;
  const add = ok(await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--redirect', redirect, '--param', 'prompt=consent', '--dpop', '--par', 'always']));
  assert.match(add.stderr, /\(par=always, dpop\)/);
  const [profile] = await cli.json(['profile', 'list']) as unknown[];
  assert.ok(isRecord(profile));
  assert.deepEqual([profile['par'], profile['dpop']], ['always', true]);
  const bad = await cli.run(['profile', 'add', 'other', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--par', 'sometimes']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error PROFILE_INVALID: /m);

  await idp.resetCounts();
  const login = ok(await cli.run(['login', 'local', '--browser-command', `${BROWSER_COMMAND} --redirect ${redirect}`, '--timeout', '90']));
  assert.match(login.stdout, /^s-[0-9a-f]{8}\n$/);
  const id = login.stdout.trim();
  assert.match(id, SESSION_ID);
  assert.match(login.stderr, /pushed to the provider \(PAR, RFC 9126\): the browser's URL carries only client_id and request_uri/);
  const counts = await idp.counts();
  assert.equal(counts['pushed_authorization_request'], 1);
  assert.equal(counts['authorization'], 1);
  assert.equal(counts['token:authorization_code'], 2, 'the code exchange, once more with the provider\'s DPoP nonce');

  const stored = await new KeytarSecretStore({ service: cli.service }).get(id);
  assert.ok(stored.kind === 'found' && stored.secret.dpopKey !== undefined, 'the DPoP key is in the keychain entry');
  const key = stored.secret.dpopKey;
  recordSecrets(stored.secret.refreshToken, key['d']);
  neverPrinted.push(stored.secret.refreshToken, key['d'] ?? '-');
  const jkt = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: key['x'] ?? '', y: key['y'] ?? '' });

  const token = ok(await cli.run(['token', id]));
  const access = token.stdout.trim();
  recordSecrets(access);
  assert.ok(token.stderr.includes(`DPoP-bound (RFC 9449) to this session's key (thumbprint ${jkt})`));
  const said = await introspect(access);
  assert.equal(String(said.token_type).toLowerCase(), 'dpop');
  assert.deepEqual(said.cnf, { jkt });

  await idp.resetCounts();
  const refreshed = ok(await cli.run(['refresh', id]));
  assert.match(refreshed.stdout, /^Refreshed s-[0-9a-f]{8}: new access token/);
  assert.ok(refreshed.stderr.includes(`bound to its key (thumbprint ${jkt})`));
  assert.equal((await idp.counts())['token:refresh_token'], 2, 'a new process: one retry with the nonce');
  const after = await new KeytarSecretStore({ service: cli.service }).get(id);
  assert.ok(after.kind === 'found' && after.secret.refreshToken !== stored.secret.refreshToken, 'rotated');
  recordSecrets(after.secret.refreshToken);
  neverPrinted.push(after.secret.refreshToken);
  assert.deepEqual(after.secret.dpopKey, key, 'the same key, kept with the new refresh token');

  await idp.resetCounts();
  const info = ok(await cli.run(['userinfo', id]));
  assert.match(info.stdout, /^sub\s+user-alice/m);
  assert.equal((await idp.counts())['userinfo'], 2, 'userinfo with the DPoP scheme, once more with the nonce of its WWW-Authenticate');

  const [session] = await cli.json(['sessions']) as unknown[];
  assert.ok(isRecord(session));
  assert.equal(session['dpop'], jkt);
});

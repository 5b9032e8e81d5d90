/** `oidc-desk profile remove`: the client secret set with `profile secret` leaves the OS keychain with the profile. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAccount } from '../../src-main/core/store/client-credential.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { Cli, KEYRING, NO_KEYRING, succeeded } from '../harness/cli-runner.ts';
import { testSecret } from '../harness/service-clients.ts';

const ISSUER = 'https://dev-123.okta.com/oauth2/default';

test('profile remove deletes the client secret from the keychain', { skip: KEYRING ? false : NO_KEYRING }, async () => {
  const cli = await Cli.create();
  const keychain = new KeytarSecretStore({ service: cli.service });
  const account = clientAccount(ISSUER, 'svc-client');
  succeeded(await cli.run(['profile', 'add', 'svc', '--issuer', ISSUER, '--client-id', 'svc-client', '--flow', 'client_credentials', '--scope', 'api:read']));
  succeeded(await cli.start(['profile', 'secret', 'svc', '--client-secret-stdin'], {}, false, `${testSecret('cli-entry')}\n`).done);
  assert.equal((await keychain.getClient(account)).kind, 'found', 'the secret is in the keychain');
  succeeded(await cli.run(['profile', 'remove', 'svc']));
  assert.equal((await keychain.getClient(account)).kind, 'absent', 'and gone with the profile');
});

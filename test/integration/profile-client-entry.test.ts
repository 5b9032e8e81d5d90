/**
 * A confidential client's keychain entry (its secret) goes with the last thing that uses it: removing the
 * profile deletes it, unless another profile names the same issuer and client, or a session of that client
 * still needs it (then its sign-out deletes it); editing a profile's client id or issuer deletes the old
 * client's entry. The real keychain (gnome-keyring in the test session) and the local oidc-provider.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileInput, Result, SignInDone } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { clientAccount } from '../../src-main/core/store/client-credential.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { serviceClient, testSecret } from '../harness/service-clients.ts';

const KEYRING = process.env['OIDC_DESK_TEST_KEYRING'] === '1';
const NO_KEYRING = 'needs a Secret Service keychain: run through npm test (private D-Bus session with gnome-keyring unlocked)';
const SECRET = testSecret('entry-secret');

let idp: TestIdp | undefined;
before(async () => {
  if (!KEYRING) return;
  idp = await startTestIdp({ clients: [serviceClient('svc-entry', SECRET, 'client_secret_basic')], grants: { clientCredentials: true, apiScopes: ['api:read', 'api:write'] } });
});
after(async () => idp?.stop());

let count = 0;
async function open(): Promise<{ desk: Desk; secrets: KeytarSecretStore }> {
  const secrets = new KeytarSecretStore({ service: `OIDC Desk client entry test ${process.pid} ${++count}` });
  return { desk: await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-entry-')), secrets }), secrets };
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Whether the keychain holds an entry for that issuer and client. */
async function entry(secrets: KeytarSecretStore, issuer: string, clientId: string): Promise<'found' | 'absent' | 'unknown'> {
  return (await secrets.getClient(clientAccount(issuer, clientId))).kind;
}

const ISSUER = 'https://dev-123.okta.com/oauth2/default';
const service = (name: string, clientId: string, issuer = ISSUER): ProfileInput => ({ name, issuer, clientId, flow: 'client_credentials', clientAuth: 'client_secret_basic', scopes: 'api:read', ...(issuer.startsWith('http:') ? { allowHttpLoopback: true } : {}) });

test('removing a profile deletes its client secret from the keychain; one shared with another profile stays until the last goes', { skip: KEYRING ? false : NO_KEYRING }, async () => {
  const { desk, secrets } = await open();
  try {
    value(await desk.api.addProfile({ profile: service('svc', 'svc-client') }));
    value(await desk.api.setClientSecret({ profile: 'svc', secret: SECRET }));
    assert.equal(await entry(secrets, ISSUER, 'svc-client'), 'found', 'the secret is in the keychain');
    value(await desk.api.removeProfile({ name: 'svc' }));
    assert.equal(await entry(secrets, ISSUER, 'svc-client'), 'absent', 'gone with its profile');

    // Two profiles of one client (say, other scopes) share its entry.
    value(await desk.api.addProfile({ profile: service('a', 'shared') }));
    value(await desk.api.addProfile({ profile: { ...service('b', 'shared'), flow: 'password', clientAuth: 'client_secret_post', scopes: 'openid' } }));
    value(await desk.api.setClientSecret({ profile: 'a', secret: SECRET }));
    value(await desk.api.removeProfile({ name: 'a' }));
    assert.equal(await entry(secrets, ISSUER, 'shared'), 'found', 'profile b still uses it');
    assert.equal(value(await desk.api.clientCredential({ profile: 'b' })).secretSet, true);
    value(await desk.api.removeProfile({ name: 'b' }));
    assert.equal(await entry(secrets, ISSUER, 'shared'), 'absent', 'gone with the last profile of that client');
  } finally {
    desk.close();
  }
});

test('editing a profile to another client id or issuer deletes the old client\'s secret; a rename keeps it', { skip: KEYRING ? false : NO_KEYRING }, async () => {
  const { desk, secrets } = await open();
  try {
    value(await desk.api.addProfile({ profile: service('svc', 'old-client') }));
    value(await desk.api.setClientSecret({ profile: 'svc', secret: SECRET }));
    value(await desk.api.updateProfile({ name: 'svc', profile: service('renamed', 'old-client') }));
    assert.equal(await entry(secrets, ISSUER, 'old-client'), 'found', 'same client: the secret stays with the renamed profile');
    assert.equal(value(await desk.api.clientCredential({ profile: 'renamed' })).secretSet, true);

    value(await desk.api.updateProfile({ name: 'renamed', profile: service('renamed', 'new-client') }));
    assert.equal(await entry(secrets, ISSUER, 'old-client'), 'absent', 'the old client\'s secret is not left behind');
    assert.equal(value(await desk.api.clientCredential({ profile: 'renamed' })).secretSet, false, 'the new client needs its own secret');

    value(await desk.api.setClientSecret({ profile: 'renamed', secret: SECRET }));
    const otherIssuer = 'https://other.example.com';
    value(await desk.api.updateProfile({ name: 'renamed', profile: service('renamed', 'new-client', otherIssuer) }));
    assert.equal(await entry(secrets, ISSUER, 'new-client'), 'absent', 'another issuer: the old entry goes too');
    value(await desk.api.removeProfile({ name: 'renamed' }));
  } finally {
    desk.close();
  }
});

test('a session of the removed profile\'s client keeps its secret until that session is signed out', { skip: KEYRING ? false : NO_KEYRING, timeout: 60_000 }, async () => {
  const issuer = idp?.issuer ?? '';
  const { desk, secrets } = await open();
  try {
    value(await desk.api.addProfile({ profile: service('svc', 'svc-entry', issuer) }));
    value(await desk.api.setClientSecret({ profile: 'svc', secret: SECRET }));
    const done = value(await desk.api.startSignIn({ profile: 'svc' })) as SignInDone;
    assert.ok('session' in done, 'client credentials completes at once');
    value(await desk.api.removeProfile({ name: 'svc' }));
    assert.equal(await entry(secrets, issuer, 'svc-entry'), 'found', 'its session still uses the client (its token cache key, its revocation)');
    value(await desk.api.signOut({ sessionId: done.session.id }));
    assert.equal(await entry(secrets, issuer, 'svc-entry'), 'absent', 'the last user of the client is gone, and so is its secret');
  } finally {
    desk.close();
  }
});

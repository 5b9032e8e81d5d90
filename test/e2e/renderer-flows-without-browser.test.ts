/**
 * The flows without a browser in the window, over `oidc-desk ui` in Chromium against the local provider
 * (client credentials enabled, the test-only password grant of test/harness/password-grant.ts) and the
 * real keychain: the editor offers the flow with what each is for (and the legacy warning for the password
 * grant) and the client authentication; the client secret is write-only (it reads "set" after saving and is
 * never sent back); the public JWK of private_key_jwt is shown; a client session has no ID token card; the
 * password sign-in asks for the credentials with the warning. Each view axe-clean.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_SKIP, DeskApp } from '../harness/app.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { passwordClient, serviceClient, testSecret, testUser } from '../harness/service-clients.ts';

const SECRET = testSecret('window-secret');
const USER = testUser();

describe('flows without a browser in the window', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp({ users: [USER], clients: [serviceClient('svc', SECRET, 'client_secret_basic'), passwordClient('pw')], grants: { clientCredentials: true, password: true, apiScopes: ['api:read', 'api:write'] } });
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  const form = () => app.page.locator('section.profile-editor form');

  /** Fills the editor for a new profile with a flow; saves it. */
  const addProfile = async (name: string, clientId: string, flow: string, scopes: string, clientAuth?: string): Promise<void> => {
    await app.goto('#/profiles/new?preset=generic');
    await form().getByLabel('Name', { exact: true }).fill(name);
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await form().getByLabel('Client id', { exact: true }).fill(clientId);
    await form().getByLabel(/Allow an http issuer/).check();
    await form().locator(`input[name="flow"][value="${flow}"]`).check();
    if (clientAuth !== undefined) await form().getByLabel('Client authentication').selectOption(clientAuth);
    await form().getByLabel('Scopes', { exact: true }).fill(scopes);
    await form().getByRole('button', { name: 'Save profile' }).click();
    await app.page.locator(`table.profiles tr[data-profile="${name}"]`).waitFor();
  };

  test('client credentials: the flow explained, the secret write-only, a token without a browser and no ID token card', async () => {
    const page = app.page;
    await app.goto('#/profiles/new?preset=generic');
    for (const flow of ['authorization_code', 'client_credentials', 'password']) {
      assert.match(await form().locator('label.choice', { has: page.locator(`input[name="flow"][value="${flow}"]`) }).innerText(), /: \w/, `${flow}: a line on what it is for`);
    }
    await form().locator('input[name="flow"][value="client_credentials"]').check();
    assert.equal(await form().getByLabel('Client authentication').inputValue(), 'client_secret_basic');
    assert.equal(await form().getByRole('radio', { name: /^Loopback/ }).count(), 0, 'no redirect for a flow without a browser');
    await app.assertAccessible('profile editor, client credentials');

    await addProfile('svc', 'svc', 'client_credentials', 'api:read');
    const redirectCell = await page.locator('table.profiles tr[data-profile="svc"] td').nth(2).innerText();
    assert.doesNotMatch(redirectCell, /callback/, 'no redirect URI to register for a flow that uses none');
    assert.match(redirectCell, /^none/);
    await app.goto('#/profiles/edit/svc');
    const panel = page.locator('section.client-credential');
    assert.equal(await panel.locator('[data-secret-state]').innerText(), 'not set');
    await panel.getByLabel('Client secret').fill(SECRET);
    await panel.getByRole('button', { name: 'Save secret' }).click();
    await panel.locator('[data-secret-state]', { hasText: /^set$/ }).waitFor();
    assert.equal(await panel.getByLabel(/client secret/i).inputValue(), '', 'the field is empty again');
    await app.screenshot('profile-editor-client-secret');
    await app.assertAccessible('profile editor with the client credential');

    await app.goto('#/sessions');
    await page.locator('section[data-profile="svc"]').getByRole('button', { name: 'Get a token' }).click();
    const detail = page.locator('section.session-detail');
    await detail.locator('[data-client-session]').waitFor();
    assert.equal(await detail.locator('[data-token="id"]').count(), 0, 'no ID token card');
    assert.equal(await detail.locator('[data-token="access"]').count(), 1, 'the access token card');
    assert.equal(await detail.getByRole('link', { name: 'Userinfo' }).count(), 0, 'no userinfo for a client');
    await app.screenshot('client-credentials-session');
    await app.assertAccessible('client credentials session');
    const everything = app.apiBodies.join('\n') + await page.content();
    assert.ok(!everything.includes(SECRET), 'the secret never came back to the window');
  });

  test('private_key_jwt: the public JWK and its thumbprint to register, never the private key', async () => {
    const page = app.page;
    await addProfile('jwt', 'svc-jwt', 'client_credentials', 'api:read', 'private_key_jwt');
    await app.goto('#/profiles/edit/jwt');
    const panel = page.locator('section.client-credential');
    await panel.getByRole('button', { name: 'Make a key pair' }).click();
    const jwk = panel.locator('[data-public-jwk]');
    await jwk.waitFor();
    const shown = JSON.parse(await jwk.innerText()) as { keys: Record<string, string>[] };
    assert.equal(shown.keys[0]?.['kty'], 'EC');
    assert.equal(shown.keys[0]?.['d'], undefined, 'no private part');
    assert.equal(await panel.locator('[data-thumbprint]').innerText(), shown.keys[0]?.['kid']);
    await app.assertAccessible('profile editor with a public key');
  });

  test('password (legacy): the warning in the editor and at sign-in, the password sent once and never shown', async () => {
    const page = app.page;
    await app.goto('#/profiles/new?preset=generic');
    await form().locator('input[name="flow"][value="password"]').check();
    assert.match(await form().locator('[data-legacy-warning]').innerText(), /RFC 9700/);
    await addProfile('pw', 'pw', 'password', 'openid profile offline_access');
    await app.goto('#/sessions');
    const group = page.locator('section[data-profile="pw"]');
    await group.getByRole('button', { name: 'Sign in' }).click();
    const signIn = group.locator('form.password-sign-in');
    assert.match(await signIn.locator('[data-legacy-warning]').innerText(), /RFC 9700/);
    await app.assertAccessible('password sign-in');
    await signIn.getByLabel('Username').fill(USER.username);
    await signIn.getByLabel('Password').fill(USER.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const detail = page.locator('section.session-detail');
    await detail.locator('[data-token="id"]').waitFor();
    assert.match(await detail.locator('#session-detail-title').innerText(), /Carol Example/);
    const token = await app.cli.run(['token', await detail.getAttribute('data-session') ?? '']);
    recordSecrets(token.stdout.trim());
    const everything = app.apiBodies.join('\n') + await page.content();
    assert.ok(!everything.includes(USER.password), 'the password never came back to the window');
  });
});

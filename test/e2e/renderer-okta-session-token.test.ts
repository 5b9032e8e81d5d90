/**
 * The Okta session token flow in the window, over `oidc-desk ui` in Chromium, against a LOCAL STAND-IN for
 * Okta's Authentication API (test/harness/okta-authn-stand-in.ts: not Okta, it follows Okta's documented
 * shapes) in front of the real oidc-provider, with the real keychain: the editor offers the flow with its
 * note (Okta only, classic engine, where the password goes) and keeps the redirect to register; the flow
 * guide points to it for an app that takes the password at Okta; the sessions view asks for the username
 * and password with the flow's warning; MFA_REQUIRED is shown in plain words; a session opens without a
 * browser. Each view axe-clean; the password never comes back to the window.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_SKIP, DeskApp } from '../harness/app.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { oktaIssued, type OktaAccount } from '../harness/okta-authn-stand-in.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { testSecret, testUser } from '../harness/service-clients.ts';

const USER = testUser();
const MFA: OktaAccount = { username: 'gil', password: testSecret('window-gil-pw'), status: 'MFA_REQUIRED' };

describe('the Okta session token flow in the window', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp({ users: [USER], okta: { accounts: [{ username: USER.username, password: USER.password, status: 'SUCCESS' }, MFA] } });
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  const form = () => app.page.locator('section.profile-editor form');

  test('the editor offers the flow with its note, a public client, and the redirect to register', async () => {
    await app.goto('#/profiles/new?preset=okta-org');
    const choice = form().locator('label.choice', { has: app.page.locator('input[name="flow"][value="okta_session_token"]') });
    assert.match(await choice.innerText(), /Okta session token.*: .*Authentication API/s, 'a line on what it is for');
    await form().locator('input[name="flow"][value="okta_session_token"]').check();
    const note = form().locator('[data-flow-warning="okta_session_token"]');
    assert.match(await note.innerText(), /classic engine/);
    assert.match(await note.innerText(), /not to Okta’s sign-in page/);
    assert.equal(await form().getByLabel('Client authentication').count(), 0, 'a public client: nothing to choose');
    assert.equal(await form().getByRole('radio', { name: /^Loopback/ }).isChecked(), true, 'the redirect stays: it is registered at Okta');
    assert.match(await app.page.locator('[data-register]').innerText(), /^http:\/\/127\.0\.0\.1\/callback$/);
    await app.assertAccessible('profile editor, Okta session token');

    await form().getByLabel('Name', { exact: true }).fill('okta');
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await form().getByLabel('Client id', { exact: true }).fill('oidc-desk');
    await form().getByLabel(/Allow an http issuer/).check();
    await form().getByRole('button', { name: 'Save profile' }).click();
    await app.page.locator('table.profiles tr[data-profile="okta"]').waitFor();
    await app.goto('#/profiles/edit/okta');
    assert.equal(await form().locator('input[name="flow"][value="okta_session_token"]').isChecked(), true, 'saved with its flow');
  });

  test('the flow guide points to it for an app that takes the password at Okta', async () => {
    await app.goto('#/guide');
    for (const [question, choice] of [['person', 'yes'], ['password', 'yes'], ['runtime', 'native'], ['need', 'identity'], ['longLived', 'yes'], ['provider', 'okta-custom']] as const) {
      const asked = app.page.locator(`section[data-question="${question}"]`);
      await asked.waitFor();
      await asked.locator(`button[data-choice="${choice}"]`).click();
    }
    const result = app.page.locator('section[data-flow-result]');
    assert.equal(await result.getAttribute('data-flow-result'), 'Authorization code with PKCE', 'still the recommendation');
    const alternative = result.locator('li[data-alternative="okta_session_token"]');
    assert.match(await alternative.innerText(), /classic engine.*no multi-factor/s);
    await app.assertAccessible('flow guide with the Okta session token');
    await alternative.getByRole('button', { name: 'Make an Okta session token profile' }).click();
    await app.page.locator('.preset-setup[data-preset="okta-custom"]').waitFor();
    assert.equal(await app.page.locator('input[name="flow"][value="okta_session_token"]').isChecked(), true, 'the editor opens on the flow');
    assert.equal(await app.page.getByLabel('Scopes', { exact: true }).inputValue(), 'openid profile email offline_access');
    await app.page.getByRole('button', { name: 'Cancel' }).click();
  });

  test('the sessions view asks for the username and password with the flow\'s warning; MFA refused in plain words; then a session', async () => {
    const page = app.page;
    await app.goto('#/sessions');
    const group = page.locator('section[data-profile="okta"]');
    await group.getByRole('button', { name: 'Sign in' }).click();
    const signIn = group.locator('form.password-sign-in');
    assert.match(await signIn.locator('[data-flow-warning]').innerText(), /classic engine/);
    assert.equal(await signIn.locator('[data-legacy-warning]').count(), 0, 'not the password grant\'s legacy warning');
    await app.assertAccessible('Okta session token sign-in');

    await signIn.getByLabel('Username').fill(MFA.username);
    await signIn.getByLabel('Password').fill(MFA.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const notice = await app.expectError('OKTA_MFA_REQUIRED');
    assert.match(await notice.innerText(), /second factor/);
    await app.assertAccessible('Okta MFA refusal');

    await group.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByLabel('Username').fill(USER.username);
    await signIn.getByLabel('Password').fill(USER.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const detail = page.locator('section.session-detail');
    await detail.locator('[data-token="id"]').waitFor();
    assert.match(await detail.locator('#session-detail-title').innerText(), /Carol Example/);
    await app.screenshot('okta-session-token-session');
    await app.assertAccessible('Okta session token session');
    const id = await detail.getAttribute('data-session') ?? '';
    recordSecrets((await app.cli.run(['token', id])).stdout.trim());
    await app.cli.storedRefreshToken(id);

    const issued = await oktaIssued(idp.issuer);
    const everything = app.apiBodies.join('\n') + await page.content();
    for (const secret of [USER.password, MFA.password, ...issued.sessionTokens, ...issued.codes]) {
      assert.ok(!everything.includes(secret), 'no password, session token or code came to the window');
    }
  });
});

/**
 * The implicit and hybrid flows (legacy) in the window, over `oidc-desk ui` in Chromium against the local
 * provider (implicit and hybrid response types) and the real keychain: the editor offers both flows with
 * their legacy warning, the response type choice and how the response comes back on each redirect; a sign-in
 * of an implicit profile completes through the provider's form post to the loopback listener, and its
 * session says it is legacy and where each token came from; the flow guide opens such a profile. Each view
 * axe-clean.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_SKIP, DeskApp, PASSWORDS } from '../harness/app.ts';
import { FRONT_CHANNEL_CLIENT_ID, startFrontChannelIdp } from '../harness/front-channel-idp.ts';
import type { TestIdp } from '../harness/idp.ts';

describe('implicit and hybrid flows in the window', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: TestIdp;

  before(async () => {
    idp = await startFrontChannelIdp();
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  const form = () => app.page.locator('section.profile-editor form');
  const responseTypes = async (): Promise<string[]> => form().getByLabel('Response type').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));

  test('the editor: both flows labelled legacy with the reason, the response type choice, the response mode of each redirect', async () => {
    const page = app.page;
    await app.goto('#/profiles/new?preset=generic');
    for (const flow of ['implicit', 'hybrid']) {
      assert.match(await form().locator('label.choice', { has: page.locator(`input[name="flow"][value="${flow}"]`) }).innerText(), /\(legacy\): \w/, `${flow}: labelled legacy, with what it is for`);
    }
    assert.equal(await form().getByLabel('Response type').count(), 0, 'no response type for the code flow');

    await form().locator('input[name="flow"][value="implicit"]').check();
    const warning = form().locator('[data-response-type-choice="implicit"] [data-legacy-warning]');
    assert.match(await warning.innerText(), /Legacy flow.*front channel.*RFC 9700.*authorization code flow with PKCE/s);
    assert.deepEqual(await responseTypes(), ['id_token token', 'id_token']);
    assert.equal(await form().getByLabel('Response type').inputValue(), 'id_token token');
    assert.equal(await form().getByLabel('Client authentication').count(), 0, 'a public client: no client authentication to choose');
    assert.equal(await form().getByRole('radio', { name: /^Loopback/ }).isChecked(), true, 'the redirect choice is there, loopback by default');
    assert.equal(await form().locator('[data-response-mode]').getAttribute('data-response-mode'), 'form_post');
    assert.match(await form().locator('[data-response-mode]').innerText(), /form_post/);
    await app.assertAccessible('profile editor, implicit flow');

    await form().getByRole('radio', { name: /The desktop app’s scheme/ }).check();
    assert.equal(await form().locator('[data-response-mode]').getAttribute('data-response-mode'), 'fragment');

    await form().locator('input[name="flow"][value="hybrid"]').check();
    assert.deepEqual(await responseTypes(), ['code id_token', 'code id_token token', 'code token']);
    assert.match(await form().locator('[data-response-type-choice="hybrid"] [data-legacy-warning]').innerText(), /Legacy flow: the hybrid flow/);
    await form().getByLabel('Response type').selectOption('code token');
    await app.screenshot('profile-editor-hybrid');
    await app.assertAccessible('profile editor, hybrid flow');
  });

  test('an implicit profile signs in through the provider\'s form post; its session is labelled legacy with its token sources', async () => {
    const page = app.page;
    await app.goto('#/profiles/new?preset=generic');
    await form().getByLabel('Name', { exact: true }).fill('legacy');
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await form().getByLabel('Client id', { exact: true }).fill(FRONT_CHANNEL_CLIENT_ID);
    await form().getByLabel(/Allow an http issuer/).check();
    await form().locator('input[name="flow"][value="implicit"]').check();
    await form().getByRole('radio', { name: /^Loopback/ }).check();
    await form().getByLabel('Scopes', { exact: true }).fill('openid profile email');
    await form().getByRole('button', { name: 'Save profile' }).click();
    await page.locator('table.profiles tr[data-profile="legacy"]').waitFor();

    await app.goto('#/sessions');
    const group = page.locator('section[data-profile="legacy"]');
    assert.match(await group.locator('[data-legacy-warning]').innerText(), /legacy\s+response_type=id_token token\. Legacy flow: the implicit flow/);
    await app.forgetProviderSession();
    await group.getByRole('button', { name: /^Sign in/ }).click();
    const link = page.locator('.sign-in-pending').last().getByRole('link', { name: /Open the sign-in page/ });
    const [provider] = await Promise.all([app.context.waitForEvent('page'), link.click()]);
    try {
      await provider.locator('body[data-step="login"]').waitFor();
      await provider.locator('#username').fill('alice');
      await provider.locator('#password').fill(PASSWORDS['alice'] ?? '');
      await provider.locator('#login-submit').click();
      await provider.locator('body[data-step="consent"]').waitFor();
      const posted = provider.waitForRequest((r) => r.method() === 'POST' && /^http:\/\/127\.0\.0\.1:\d+\/callback$/.test(r.url()));
      await provider.locator('#consent-approve').click();
      await posted;
      // The provider's page posted the form to the loopback listener, which answered with its own page.
      await provider.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback$/, { waitUntil: 'load' });
      assert.match(await provider.locator('body').innerText(), /Signed in/);
    } finally {
      await provider.close();
    }
    const detail = page.locator('section.session-detail');
    await detail.waitFor();
    const note = detail.locator('[data-legacy-flow="implicit"]');
    assert.match(await note.innerText(), /legacy\s+Implicit flow, response_type=id_token token\. Legacy flow/);
    assert.equal(await note.locator('[data-source-access]').getAttribute('data-source-access'), 'front-channel');
    assert.equal(await note.locator('[data-source-id]').getAttribute('data-source-id'), 'front-channel');
    assert.equal(await detail.getByRole('button', { name: 'Refresh', exact: true }).isDisabled(), true, 'no refresh token: nothing to refresh');
    await detail.locator('[data-token="id"] [data-valid="true"]').waitFor();
    assert.match(await detail.locator('[data-token="refresh"] [data-present]').innerText(), /None: the implicit flow issues no refresh token/);
    await app.screenshot('session-implicit');
    await app.assertAccessible('implicit session');
  });

  test('the flow guide points to the legacy flows and opens an implicit profile', async () => {
    const page = app.page;
    await app.goto('#/guide');
    for (const [question, choice] of [['person', 'yes'], ['password', 'no'], ['runtime', 'spa'], ['need', 'identity'], ['longLived', 'no'], ['provider', 'generic']] as const) {
      const asked = page.locator(`section[data-question="${question}"]`);
      await asked.waitFor();
      await asked.locator(`button[data-choice="${choice}"]`).click();
    }
    const result = page.locator('section[data-flow-result]');
    assert.match(await result.locator('li[data-legacy]').innerText(), /Implicit \(legacy\)/);
    await app.assertAccessible('flow guide with the legacy implicit flow');
    await result.locator('button[data-legacy-profile="implicit"]').click();
    await form().waitFor();
    assert.equal(await form().locator('input[name="flow"][value="implicit"]').isChecked(), true);
    assert.equal(await form().getByLabel('Response type').inputValue(), 'id_token token');
    assert.equal(await form().getByLabel('Scopes', { exact: true }).inputValue(), 'openid profile email');
  });

  test('no script error, no dialog', () => {
    assert.deepEqual(app.pageErrors, []);
    assert.deepEqual(app.dialogs, []);
  });
});

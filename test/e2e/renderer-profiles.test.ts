/**
 * The profile editor in a real browser over `oidc-desk ui`: presets with the redirect URI to register,
 * validation messages next to the fields they are about (the core's refusals mapped to fields), "Check
 * provider" against a real provider (oidc-provider), a custom-scheme profile refused in a browser tab with
 * the reason, a sign-in cancelled while it waits, edit and remove.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_SKIP, DeskApp } from '../harness/app.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';

/** The redirect URI each preset asks to register. */
const REGISTER: Readonly<Record<string, string>> = {
  'okta-org': 'http://127.0.0.1/callback',
  'okta-custom': 'http://127.0.0.1/callback',
  keycloak: 'http://127.0.0.1/callback',
  entra: 'http://127.0.0.1/callback',
  auth0: 'dev.oidcdesk:/callback',
  google: 'http://127.0.0.1/callback',
  generic: 'http://127.0.0.1/callback',
};

describe('the profile editor', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp();
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  const form = () => app.page.locator('section.profile-editor form');
  const save = () => form().getByRole('button', { name: /^Save/ }).click();
  /** The message next to a field, after a refusal: its text, once the field is marked invalid. */
  const message = async (field: string): Promise<string> => {
    const error = app.page.locator(`#profile-${field}-error`);
    await error.waitFor();
    return error.innerText();
  };

  test('presets: each explains the setup at the provider and names the redirect URI to register', async () => {
    const page = app.page;
    await app.goto('#/profiles/new');
    for (const [preset, uri] of Object.entries(REGISTER)) {
      await form().locator(`input[name="preset"][value="${preset}"]`).check();
      const setup = page.locator(`.preset-setup[data-preset="${preset}"]`);
      assert.ok((await setup.locator('li').count()) >= 2, `${preset}: the steps at the provider`);
      assert.equal(await setup.locator('[data-register]').innerText(), uri, `${preset}: the redirect URI to register`);
    }
    await form().locator('input[name="preset"][value="google"]').check();
    assert.equal(await form().getByLabel('Extra authorization parameters').inputValue(), 'access_type=offline\nprompt=consent', 'Google: offline access through its own parameters');
    assert.equal(await form().getByLabel('Scopes', { exact: true }).inputValue(), 'openid profile email');
    await form().getByLabel(/^Another URI/).check();
    await form().getByLabel('Redirect URI', { exact: true }).fill('http://127.0.0.1:8765/callback');
    assert.equal(await page.locator('[data-register]').innerText(), 'http://127.0.0.1:8765/callback', 'a fixed loopback URI is registered as typed');
    await form().locator('input[name="preset"][value="okta-custom"]').check();
    assert.equal(await form().getByLabel('Issuer', { exact: true }).getAttribute('placeholder'), 'https://dev-123456.okta.com/oauth2/default');
    await app.screenshot('profile-editor');
    await app.assertAccessible('profile editor');
  });

  test('validation: each refusal is shown next to the field it is about, and the field is marked invalid', async () => {
    const page = app.page;
    await app.goto('#/profiles/new?preset=generic');
    await form().getByLabel('Name', { exact: true }).fill('');
    await save();
    assert.match(await message('name'), /name/);
    assert.match(await message('issuer'), /issuer/);
    assert.match(await message('client-id'), /client id/);
    const name = form().getByLabel('Name', { exact: true });
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.match(await name.getAttribute('aria-describedby') ?? '', /profile-name-error/, 'the message is tied to its field');

    // The core's refusals, one field at a time.
    await name.fill('local');
    await form().getByLabel('Client id', { exact: true }).fill('oidc-desk');
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await save();
    assert.match(await message('issuer'), /http/, 'ISSUER_INSECURE: an http issuer needs the loopback allowance');
    await form().getByLabel(/Allow an http issuer/).check();
    await form().getByLabel(/^Another URI/).check();
    await form().getByLabel('Redirect URI', { exact: true }).fill('myapp:/callback');
    await save();
    assert.match(await message('redirect'), /reverse-domain/, 'REDIRECT_SCHEME_INVALID: next to the redirect');
    await form().getByLabel(/^Loopback/).check();
    await form().getByLabel('Extra authorization parameters').fill('state=abc');
    await save();
    assert.match(await message('params'), /set by OIDC Desk itself/, 'PROFILE_INVALID about a parameter: next to the parameters');
    await form().getByLabel('Extra authorization parameters').fill('prompt=consent');
    await name.fill('not a name!');
    await save();
    assert.match(await message('name'), /letters, digits/, 'PROFILE_INVALID about the name: next to the name');
    await app.screenshot('profile-validation', { fullPage: false });
    await app.assertAccessible('profile editor with messages');
    await name.fill('local');
    await save();
    await page.locator('table.profiles tr[data-profile="local"]').waitFor();

    await app.goto('#/profiles/new?preset=generic');
    await form().getByLabel('Name', { exact: true }).fill('local');
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await form().getByLabel(/Allow an http issuer/).check();
    await form().getByLabel('Client id', { exact: true }).fill('oidc-desk');
    await save();
    assert.match(await message('name'), /exists already/, 'PROFILE_EXISTS: next to the name');
  });

  test('Check provider: discovery against a real provider and the compatibility summary; a wrong issuer is refused next to the field', async () => {
    const page = app.page;
    await app.goto('#/profiles/new?preset=generic');
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await form().getByLabel('Client id', { exact: true }).fill('oidc-desk');
    await form().getByLabel(/Allow an http issuer/).check();
    await form().getByRole('button', { name: 'Check provider' }).click();
    const check = page.locator('[data-provider-check]');
    await check.waitFor();
    for (const feature of ['pkce-s256', 'revocation', 'introspection', 'rp-initiated-logout']) {
      assert.equal(await check.locator(`tr[data-feature="${feature}"]`).getAttribute('data-status'), 'supported', `${feature} supported`);
    }
    assert.match(await check.innerText(), new RegExp(`${idp.issuer.replaceAll('.', '\\.')}/\\.well-known/openid-configuration`));
    await app.screenshot('provider-check');
    await app.assertAccessible('provider check');

    await form().getByLabel('Issuer', { exact: true }).fill(`${idp.issuer}/`);
    await form().getByRole('button', { name: 'Check provider' }).click();
    assert.match(await message('issuer'), /issuer/, 'next to the issuer');
    await app.expectError('DISCOVERY_ISSUER_MISMATCH');
  });

  test('a custom-scheme profile cannot sign in from a browser tab, and says why; a waiting sign-in can be cancelled, and times out cleanly', async () => {
    const page = app.page;
    await app.addProfile({ preset: 'auth0', name: 'desktop-only', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
    await app.goto('#/sessions');
    const group = page.locator('section[data-profile="desktop-only"]');
    const button = group.getByRole('button', { name: /^Sign in/ });
    assert.equal(await button.isDisabled(), true, 'no sign-in from a page for a custom scheme');
    assert.match(await group.locator('.note').innerText(), /custom scheme, which a browser tab cannot receive/);
    const described = await button.getAttribute('aria-describedby');
    assert.ok(described !== null && (await page.locator(`[id="${described}"]`).count()) === 1, 'the reason is tied to the button');

    await page.locator('section[data-profile="local"]').getByRole('button', { name: /^Sign in/ }).click();
    const waiting = page.locator('.sign-in-pending');
    await waiting.waitFor();
    assert.match(await waiting.innerText(), /Waits until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(in \d+ min \d{2} s\), then gives up\./, 'the deadline and its countdown');
    const link = waiting.getByRole('link', { name: /Open the sign-in page of 127\.0\.0\.1:\d+/ });
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.ok(!(await waiting.innerText()).includes('state='), 'the authorization URL is a link target, never shown');
    await app.screenshot('sign-in-waiting', { fullPage: false });
    await app.assertAccessible('a waiting sign-in');
    await waiting.getByRole('button', { name: 'Cancel sign-in' }).click();
    await app.expectError('SIGN_IN_CANCELLED');
    await waiting.waitFor({ state: 'detached' });

    // A sign-in started elsewhere (here: through the page's API, with a 2-second deadline) is shown from its
    // event, and when its deadline passes it ends cleanly: the card goes, the error says what to do.
    const started = await page.evaluate(() => (window as unknown as { oidcDesk: { startSignIn(i: unknown): Promise<{ ok: boolean }> } }).oidcDesk.startSignIn({ profile: 'local', timeoutSeconds: 2 }));
    assert.equal(started.ok, true);
    await waiting.getByText(/started elsewhere/).waitFor();
    const timedOut = await app.expectError('FLOW_TIMEOUT');
    assert.match(await timedOut.innerText(), /The sign-in timed out/);
    await waiting.waitFor({ state: 'detached' });
  });

  test('edit and remove', async () => {
    const page = app.page;
    await app.goto('#/profiles');
    await page.getByRole('link', { name: 'Edit local' }).click();
    const scopes = form().getByLabel('Scopes', { exact: true });
    assert.equal(await scopes.inputValue(), 'openid profile email offline_access');
    await scopes.fill('openid email');
    await save();
    await page.locator('table.profiles tr[data-profile="local"]').waitFor();
    await page.getByRole('link', { name: 'Edit local' }).click();
    assert.equal(await form().getByLabel('Scopes', { exact: true }).inputValue(), 'openid email', 'saved');
    await form().getByRole('button', { name: 'Cancel' }).click();
    await app.screenshot('profiles', { fullPage: false });
    await app.assertAccessible('profiles');
    await page.getByRole('button', { name: 'Remove local…' }).click();
    await page.getByRole('button', { name: 'Remove local', exact: true }).click();
    await page.locator('table.profiles tr[data-profile="local"]').waitFor({ state: 'detached' });
    assert.deepEqual(app.pageErrors, []);
  });
});

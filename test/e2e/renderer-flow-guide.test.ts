/**
 * The flow guide in a real browser over `oidc-desk ui`: every answer of every question leads where it
 * should (client credentials without a person; the authorization code with PKCE otherwise, with password,
 * implicit and hybrid labelled legacy with their reason), each provider opens its profile preset with the
 * recommended scopes, and Back and Start again work.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_SKIP, DeskApp } from '../harness/app.ts';

const PROVIDERS = ['okta-org', 'okta-custom', 'keycloak', 'entra', 'auth0', 'google', 'generic'] as const;

describe('the flow guide', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;

  before(async () => {
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
  });

  /** Answers the questions in order, checking each is the one expected. */
  const answer = async (steps: readonly (readonly [question: string, choice: string])[]): Promise<void> => {
    for (const [question, choice] of steps) {
      const asked = app.page.locator(`section[data-question="${question}"]`);
      await asked.waitFor();
      await asked.locator(`button[data-choice="${choice}"]`).click();
    }
  };
  const result = () => app.page.locator('section[data-flow-result]');
  const legacy = async (): Promise<string[]> => result().locator('li[data-legacy]').evaluateAll((items) => items.map((i) => i.getAttribute('data-legacy') ?? ''));

  test('no person: client credentials, OAuth 2.0 only, no browser; it opens a client credentials profile', async () => {
    await app.goto('#/guide');
    await app.page.locator('section[data-question="person"]').waitFor();
    await app.screenshot('flow-guide-question', { fullPage: false });
    await app.assertAccessible('flow guide question');
    await answer([['person', 'no']]);
    assert.equal(await result().getAttribute('data-flow-result'), 'Client credentials');
    assert.equal(await result().locator('[data-response-type]').getAttribute('data-response-type'), 'none');
    assert.match(await result().innerText(), /no ID token/);
    assert.deepEqual(await legacy(), []);
    await result().getByRole('button', { name: 'Make a client credentials profile' }).click();
    assert.equal(await app.page.locator('input[name="flow"][value="client_credentials"]').isChecked(), true, 'the editor opens on the client credentials flow');
    await app.goto('#/guide');
    if (await result().count() === 0) await answer([['person', 'no']]);
  });

  test('a password asked by the app itself: labelled legacy with the reason, and the code flow recommended instead', async () => {
    const page = app.page;
    await result().getByRole('button', { name: 'Start again' }).click();
    await answer([['person', 'yes'], ['password', 'yes']]);
    assert.match(await page.locator('p[data-legacy="password"]').innerText(), /legacy.*RFC 9700/s, 'said at once');
    await answer([['runtime', 'native'], ['need', 'identity'], ['longLived', 'yes'], ['provider', 'okta-org']]);
    assert.equal(await result().getAttribute('data-flow-result'), 'Authorization code with PKCE');
    assert.equal(await result().locator('[data-response-type]').getAttribute('data-response-type'), 'code');
    assert.deepEqual(await legacy(), ['Resource owner password (grant_type=password)']);
    assert.match(await result().locator('li[data-legacy]').innerText(), /RFC 9700 §2\.4 says it MUST NOT be used/);
    assert.equal(await result().locator('[data-scopes]').getAttribute('data-scopes'), 'openid profile email offline_access');
    assert.match(await result().innerText(), /public client/);
    await app.screenshot('flow-guide');
    await app.assertAccessible('flow guide recommendation');
    await result().getByRole('button', { name: 'Open the Okta (org authorization server) preset' }).click();
    await page.locator('.preset-setup[data-preset="okta-org"]').waitFor();
    assert.equal(await page.getByLabel('Scopes', { exact: true }).inputValue(), 'openid profile email offline_access');
    assert.equal(await page.locator('input[name="preset"][value="okta-org"]').isChecked(), true);
  });

  test('a single-page app that calls an API: implicit is legacy, no openid, the API scopes are the person’s to add', async () => {
    const page = app.page;
    await app.goto('#/guide');
    await answer([['person', 'yes'], ['password', 'no'], ['runtime', 'spa'], ['need', 'api'], ['longLived', 'no'], ['provider', 'keycloak']]);
    assert.deepEqual(await legacy(), ['Implicit (response_type=id_token or token)']);
    assert.match(await result().locator('li[data-legacy]').innerText(), /RFC 9700 §2\.1\.2/);
    assert.equal(await result().locator('[data-scopes]').getAttribute('data-scopes'), '');
    assert.match(await result().locator('[data-scopes]').innerText(), /your API’s scopes/);
    assert.match(await result().innerText(), /OAuth 2\.0 and OpenID Connect side by side/, 'the OAuth 2.0 / OpenID Connect table where it helps');
    await result().getByRole('button', { name: 'Open the Keycloak preset' }).click();
    await page.locator('.preset-setup[data-preset="keycloak"]').waitFor();
    assert.equal(await page.getByLabel('Scopes', { exact: true }).inputValue(), '');
  });

  test('a web server that needs both: hybrid is legacy; Google gets offline access through its parameters', async () => {
    const page = app.page;
    await app.goto('#/guide');
    await answer([['person', 'yes'], ['password', 'no'], ['runtime', 'server'], ['need', 'both'], ['longLived', 'yes'], ['provider', 'google']]);
    assert.deepEqual(await legacy(), ['Hybrid (response_type=code id_token)']);
    assert.match(await result().innerText(), /confidential client/);
    assert.equal(await result().locator('[data-scopes]').getAttribute('data-scopes'), 'openid profile email');
    await result().getByRole('button', { name: 'Open the Google preset' }).click();
    await page.locator('.preset-setup[data-preset="google"]').waitFor();
    assert.equal(await page.getByLabel('Extra authorization parameters').inputValue(), 'access_type=offline\nprompt=consent');
  });

  test('every provider opens its own preset', async () => {
    const page = app.page;
    for (const provider of PROVIDERS) {
      await app.goto('#/guide');
      await answer([['person', 'yes'], ['password', 'no'], ['runtime', 'native'], ['need', 'identity'], ['longLived', 'no'], ['provider', provider]]);
      assert.equal(await result().locator('[data-scopes]').getAttribute('data-scopes'), 'openid profile email');
      await result().getByRole('button', { name: /^Open the .* preset$/ }).click();
      await page.locator(`.preset-setup[data-preset="${provider}"]`).waitFor();
      assert.equal(await page.getByLabel('Scopes', { exact: true }).inputValue(), 'openid profile email', `${provider}: the recommended scopes`);
    }
  });

  test('Back undoes the last answer', async () => {
    const page = app.page;
    await app.goto('#/guide');
    await answer([['person', 'yes'], ['password', 'no'], ['runtime', 'native']]);
    await page.locator('section[data-question="need"]').waitFor();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.locator('section[data-question="runtime"]').waitFor();
    assert.equal(await page.getByRole('list', { name: 'Your answers' }).locator('li').count(), 2);
    assert.deepEqual(app.pageErrors, []);
  });
});

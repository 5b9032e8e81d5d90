/**
 * The device authorization grant (RFC 8628) in the window, over `oidc-desk ui` in Chromium against the local
 * provider's device flow (test/harness/device-flow.ts) and the real keychain: the editor offers the flow with
 * what it is for; a pending device sign-in shows the code (large, copyable), the link, the QR code (an SVG
 * image with a label, drawn from the module matrix) and its expiry, and says that it polls; the provider's
 * pages opened from its link finish it, and the window opens the session; Cancel ends one; the flow guide
 * leads a device without a browser there. Each view axe-clean, screenshots in both themes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from 'uqr';
import { APP_SKIP, DeskApp } from '../harness/app.ts';
import { deviceClient, finishDeviceSignIn } from '../harness/device-flow.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';

describe('the device flow in the window', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp({ clients: [deviceClient('dev')], grants: { deviceFlow: true } });
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  const form = () => app.page.locator('section.profile-editor form');
  const card = () => app.page.locator('section.device-sign-in');

  test('the editor offers the device flow with what it is for, a public client and no redirect', async () => {
    await app.goto('#/profiles/new?preset=generic');
    const choice = form().locator('label.choice', { has: app.page.locator('input[name="flow"][value="device_code"]') });
    assert.match(await choice.innerText(), /another device.*code/s);
    await form().getByLabel('Name', { exact: true }).fill('tv');
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await form().getByLabel('Client id', { exact: true }).fill('dev');
    await form().getByLabel(/Allow an http issuer/).check();
    await form().locator('input[name="flow"][value="device_code"]').check();
    assert.equal(await form().getByLabel('Client authentication').inputValue(), 'none');
    assert.equal(await form().getByRole('radio', { name: /^Loopback/ }).count(), 0, 'no redirect: nothing comes back to this computer');
    await app.assertAccessible('profile editor, device flow');
    await form().getByRole('button', { name: 'Save profile' }).click();
    await app.page.locator('table.profiles tr[data-profile="tv"]').waitFor();
  });

  test('a pending device sign-in shows the code, the link and the QR code; the provider’s pages finish it', async () => {
    const page = app.page;
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    await app.goto('#/sessions');
    const group = page.locator('section[data-profile="tv"]');
    assert.match(await group.innerText(), /another device/);
    await group.getByRole('button', { name: 'Sign in' }).click();
    await card().waitFor();

    const code = (await card().locator('[data-user-code]').innerText()).trim();
    assert.match(code, /^[A-Z]{4}-[A-Z]{4}$/, 'the code, as text');
    assert.equal(await card().locator('a[data-verification-uri]').getAttribute('href'), `${idp.issuer}/device`);
    assert.equal(await card().locator('a[data-verification-uri]').innerText(), `${idp.issuer}/device`, 'the link, as text');
    const complete = `${idp.issuer}/device?user_code=${code}`;
    assert.equal(await card().locator('a[data-verification-uri-complete]').getAttribute('href'), complete);
    const qr = card().getByRole('img', { name: `QR code of ${complete}` });
    assert.equal(await qr.evaluate((e) => e.tagName.toLowerCase()), 'svg');
    // The drawing is the matrix of the address with the code: as many dark modules as uqr encodes.
    const expected = encode(complete, { ecc: 'M', border: 2 });
    const darkModules = expected.data.flat().filter(Boolean).length;
    const drawn = await qr.locator('rect[fill="#000000"]').evaluateAll((rects) => rects.reduce((sum, r) => sum + Number(r.getAttribute('width')), 0));
    assert.equal(drawn, darkModules);
    assert.equal(await qr.getAttribute('viewBox'), `0 0 ${expected.size} ${expected.size}`);
    assert.match(await card().innerText(), /The code expires at .* \(in (9|10) min/);

    await card().getByRole('button', { name: 'Copy the code' }).click();
    await card().getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);

    // The person has not acted yet: the card says it polls.
    await card().locator('[data-polling="1"]').waitFor();
    assert.match(await card().locator('[data-polling]').innerText(), /checked 1 time, every 5 s/);
    await app.screenshot('device-sign-in');
    await app.assertAccessible('pending device sign-in');

    const [provider] = await Promise.all([app.context.waitForEvent('page'), card().locator('a[data-verification-uri-complete]').click()]);
    try {
      assert.equal(await finishDeviceSignIn(provider, undefined, { user: DEMO_USERS[0]! }), 'device-success');
    } finally {
      await provider.close();
    }
    const detail = page.locator('section.session-detail');
    await detail.waitFor();
    assert.match(await detail.locator('#session-detail-title').innerText(), /Alice Example/);
    await detail.locator('[data-token="id"]').waitFor();
    assert.equal(await card().count(), 0, 'the pending card is gone');
    assert.doesNotMatch(app.apiBodies.join('\n'), /"(device_code|refresh_token)"\s*:/, 'neither the device code nor a refresh token reached the window');
    assert.deepEqual(app.pageErrors, []);
  });

  test('Cancel ends a waiting device sign-in', async () => {
    const page = app.page;
    await app.goto('#/sessions');
    await page.locator('section[data-profile="tv"]').getByRole('button', { name: /^Sign in/ }).click();
    await card().waitFor();
    await card().getByRole('button', { name: 'Cancel sign-in' }).click();
    await card().waitFor({ state: 'detached' });
    await app.expectError('SIGN_IN_CANCELLED');
  });

  test('the flow guide leads a device without a browser to the device flow and its profile', async () => {
    const page = app.page;
    await app.goto('#/guide');
    for (const [question, choice] of [['person', 'yes'], ['password', 'no'], ['runtime', 'device'], ['need', 'identity'], ['longLived', 'yes'], ['provider', 'okta-org']] as const) {
      const asked = page.locator(`section[data-question="${question}"]`);
      await asked.waitFor();
      await asked.locator(`button[data-choice="${choice}"]`).click();
    }
    const result = page.locator('section[data-flow-result]');
    assert.equal(await result.getAttribute('data-flow-result'), 'Device authorization grant');
    assert.match(await result.innerText(), /signs in on another device/);
    assert.match(await result.innerText(), /urn:ietf:params:oauth:grant-type:device_code, refresh_token/);
    await app.assertAccessible('flow guide, device flow');
    await result.getByRole('button', { name: /^Open the .* preset$/ }).click();
    assert.equal(await page.locator('input[name="flow"][value="device_code"]').isChecked(), true, 'the editor opens on the device flow');
  });
});

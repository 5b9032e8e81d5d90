/**
 * PAR and DPoP in the window, over `oidc-desk ui` in Chromium against the local provider (PAR offered, DPoP
 * nonces required) and the real keychain: the editor's two settings with a line on what each does (only for
 * the authorization code flow), saved and shown again; a pushed sign-in says so and completes; the session
 * and its access token card say the tokens are bound to the session's key, by its thumbprint, which is the
 * thumbprint of the key in the keychain, never the key itself; a pushed request whose request_uri ran out is
 * not opened and ends with PAR_REQUEST_EXPIRED. Each view axe-clean.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { APP_SKIP, DeskApp } from '../harness/app.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

describe('PAR and DPoP in the window', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp({ dpop: { nonces: true } });
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  const form = () => app.page.locator('section.profile-editor form');

  test('the editor: PAR and DPoP with a line on what each does, for the code flow only; saved and shown again', async () => {
    await app.goto('#/profiles/new?preset=generic');
    const par = form().getByLabel('Pushed authorization requests (PAR)');
    const dpop = form().getByLabel(/^DPoP: bind the tokens to a key of this session/);
    assert.equal(await par.inputValue(), 'auto', 'auto by default');
    assert.equal(await dpop.isChecked(), false, 'off by default');
    assert.match(await form().locator('#profile-par-hint').innerText(), /RFC 9126/);
    assert.match(await form().locator('#profile-dpop-hint').innerText(), /RFC 9449/);
    await form().locator('input[name="flow"][value="client_credentials"]').check();
    assert.equal(await par.count(), 0, 'no PAR setting for a flow without a browser');
    assert.equal(await dpop.count(), 0);
    await form().locator('input[name="flow"][value="authorization_code"]').check();

    await form().getByLabel('Name', { exact: true }).fill('hardened');
    await form().getByLabel('Issuer', { exact: true }).fill(idp.issuer);
    await form().getByLabel('Client id', { exact: true }).fill('oidc-desk');
    await form().getByLabel(/Allow an http issuer/).check();
    // The flow switch above took the OpenID scopes away (a service has none): give them back.
    await form().getByLabel('Scopes', { exact: true }).fill('openid profile email offline_access');
    await form().getByLabel('Extra authorization parameters').fill('prompt=consent');
    await par.selectOption('always');
    await dpop.check();
    await app.screenshot('profile-editor-par-dpop');
    await app.assertAccessible('profile editor with PAR and DPoP');
    await form().getByRole('button', { name: 'Save profile' }).click();
    await app.page.locator('table.profiles tr[data-profile="hardened"]').waitFor();

    await app.goto('#/profiles/edit/hardened');
    assert.equal(await form().getByLabel('Pushed authorization requests (PAR)').inputValue(), 'always');
    assert.equal(await form().getByLabel(/^DPoP: bind the tokens/).isChecked(), true);
    const listed = await app.cli.json(['profile', 'list']) as { name: string; par: string; dpop: boolean }[];
    assert.deepEqual(listed.map((p) => [p.name, p.par, p.dpop]), [['hardened', 'always', true]]);
  });

  test('a pushed DPoP sign-in: the pending card says it was pushed; the session and the access token card show the binding to the key', async () => {
    const page = app.page;
    // A first sign-in, only to see its card: cancelled.
    await app.goto('#/sessions');
    await page.locator('section[data-profile="hardened"]').getByRole('button', { name: /^Sign in/ }).click();
    const pending = page.locator('.sign-in-pending').last();
    const note = pending.locator('[data-pushed]');
    await note.waitFor();
    assert.match(await note.innerText(), /pushed to the provider first \(PAR, RFC 9126\).*works once/s);
    await app.assertAccessible('a pushed sign-in waiting');
    await pending.getByRole('button', { name: 'Cancel sign-in' }).click();
    await pending.waitFor({ state: 'detached' });

    const id = await app.signIn('alice', { profile: 'hardened' });
    assert.ok(id !== undefined);
    const stored = await new KeytarSecretStore({ service: app.cli.service }).get(id);
    assert.ok(stored.kind === 'found' && stored.secret.dpopKey !== undefined, 'the key is in the keychain entry');
    const key = stored.secret.dpopKey;
    recordSecrets(stored.secret.refreshToken, key['d']);
    const jkt = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: key['x'] ?? '', y: key['y'] ?? '' });

    const detail = page.locator('section.session-detail');
    assert.match(await detail.locator('[data-dpop]').innerText(), /DPoP/);
    const binding = detail.locator('[data-token="access"] .dpop-binding');
    await binding.waitFor();
    assert.equal(await binding.getAttribute('data-dpop-binding'), 'token-type');
    assert.match(await binding.innerText(), /Bound to this session’s key/);
    assert.equal(await binding.locator('[data-jkt]').innerText(), jkt, 'the thumbprint of the key in the keychain');
    await app.screenshot('access-token-dpop');
    await app.assertAccessible('tokens of a DPoP session');

    const everything = app.apiBodies.join('\n') + await page.content();
    for (const part of ['d', 'x', 'y'] as const) assert.ok(!everything.includes(key[part] ?? '-'), `the key's ${part} never reached the window`);
    assert.ok(!everything.includes(stored.secret.refreshToken));
  });

  test('a pushed request whose request_uri ran out is not opened: the sign-in ends with PAR_REQUEST_EXPIRED', async () => {
    const page = app.page;
    await app.goto('#/sessions');
    await page.locator('section[data-profile="hardened"]').getByRole('button', { name: /^Sign in/ }).click();
    const pending = page.locator('.sign-in-pending').last();
    await pending.locator('[data-pushed]').waitFor();
    const flowId = await pending.getAttribute('data-flow');
    // oidc-provider takes a pushed request for 60 s at most: wait that out (no timing is asserted).
    await pending.locator('[data-pushed] .countdown--past').waitFor({ timeout: 90_000 });
    await sleep(1_500);
    const pagesBefore = app.context.pages().length;
    await pending.getByRole('link', { name: /Open the sign-in page/ }).click();
    const notice = await app.expectError('PAR_REQUEST_EXPIRED');
    assert.match(await notice.innerText(), /pushed sign-in request expired/i);
    assert.equal(app.context.pages().length, pagesBefore, 'no tab was opened on the provider\'s error page');
    assert.equal(await page.locator(`.sign-in-pending[data-flow="${flowId ?? '-'}"]`).count(), 0, 'the sign-in ended');
    await app.assertAccessible('an expired pushed sign-in');
  });
});

/**
 * Hostile text in the window: a provider whose claims and error descriptions carry markup
 * (`<img src=x onerror=...>`), right-to-left overrides and a megabyte. Everything renders as text: no
 * element is made from it, no script runs, no dialog opens, the page never gets wider than the window,
 * and a right-to-left override stays inside its value. (A compliant provider never sends these: the
 * scripted test provider does, signed like any ID token.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_SKIP, DeskApp } from '../harness/app.ts';
import { startScriptedIdp, type ScriptedIdp } from '../harness/scripted-idp.ts';

const MARKUP = '<img src=x onerror="document.title=\'pwned\'">';
const RTL = '\u202Eevil.exe\u200F';
/** Fits the ID token under the 1 MiB cap on token responses once base64url-encoded. */
const LARGE = 'W'.repeat(700_000);
/** A megabyte, in userinfo (also under the 1 MiB cap on answers). */
const MEGABYTE = 'M'.repeat(1_000_000);

describe('hostile claims and error text render as text', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: ScriptedIdp;

  before(async () => {
    idp = await startScriptedIdp({
      idTokenClaims: { sub: 'hostile-user', name: MARKUP, preferred_username: RTL, note: LARGE },
      userinfo: { sub: 'hostile-user', name: MARKUP, preferred_username: RTL, bio: MEGABYTE },
      scope: 'openid profile',
    });
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  /** Nothing hostile took effect: no element from the text, no script, no dialog, no page wider than the window. */
  const assertInert = async (where: string): Promise<void> => {
    const page = app.page;
    assert.equal(await page.locator('img').count(), 0, `${where}: no element made from the text`);
    assert.equal(await page.title(), 'OIDC Desk', `${where}: no script ran`);
    assert.deepEqual(app.dialogs, [], `${where}: no dialog`);
    assert.deepEqual(app.pageErrors, [], `${where}: no script error`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${where}: long values wrap (the page is ${overflow} px wider than the window)`);
  };

  test('a profile made in the editor, and a sign-in whose claims carry markup, a right-to-left override and 700 000 characters', async () => {
    await app.addProfile({ preset: 'generic', name: 'hostile', issuer: idp.issuer, clientId: 'oidc-desk', scopes: 'openid profile', allowHttpLoopback: true });
    const id = await app.signIn('hostile-user', { profile: 'hostile', noPages: true });
    assert.ok(id !== undefined);
    const page = app.page;
    await page.locator('[data-token="id"] .verdict[data-valid="true"]').waitFor();
    // The markup is in the list, the heading and the notice, as the characters it is made of.
    assert.equal(await app.sessionRow(MARKUP).count(), 1, 'the row shows the name as text');
    assert.equal(await page.locator('#session-detail-title').innerText(), MARKUP);
    assert.equal(await page.locator('.notice--ok bdi').first().innerText(), MARKUP, 'the notice shows it inside <bdi>');
    const claims = page.getByRole('table', { name: 'ID token claims' });
    const username = claims.getByRole('row', { name: /^preferred_username / }).locator('bdi');
    assert.equal(await username.evaluate((e) => e.textContent), RTL, 'the override is kept, as text');
    assert.equal(await username.evaluate((e) => e.tagName), 'BDI', 'inside an isolating element');
    const note = claims.getByRole('row', { name: /^note / });
    assert.equal((await note.locator('bdi').evaluate((e) => e.textContent ?? '')).length, 4000, 'a long value shows its start');
    await note.getByRole('button', { name: 'Show all 700,000 characters' }).click();
    assert.equal((await note.locator('bdi').evaluate((e) => e.textContent ?? '')).length, LARGE.length, 'then all of it');
    await assertInert('tokens');
    await app.page.evaluate(() => window.scrollTo(0, 0));
    await app.screenshot('hostile-tokens', { fullPage: false });
    await app.assertAccessible('tokens with hostile claims');
  });

  test('userinfo with a megabyte: the comparison and the raw JSON as text', async () => {
    const page = app.page;
    await app.tab('Userinfo');
    const table = page.getByRole('table', { name: /Userinfo claims compared/ });
    await table.waitFor();
    assert.equal(await table.locator('tr[data-claim="name"]').getAttribute('data-relation'), 'same');
    const bio = table.locator('tr[data-claim="bio"]');
    assert.equal(await bio.getAttribute('data-relation'), 'only-userinfo');
    await bio.getByRole('button', { name: 'Show all 1,000,000 characters' }).click();
    assert.equal((await bio.locator('bdi').first().evaluate((e) => e.textContent ?? '')).length, MEGABYTE.length);
    const raw = page.getByLabel('Userinfo response as JSON');
    await raw.getByRole('button', { name: /^Show all / }).click();
    assert.ok((await raw.evaluate((e) => e.textContent ?? '')).includes(`"bio": "${MEGABYTE}"`), 'the raw JSON, all of it');
    assert.ok((await raw.evaluate((e) => e.textContent ?? '')).includes(JSON.stringify(MARKUP).slice(1, -1)));
    await assertInert('userinfo');
  });

  test('a provider error whose description carries markup and an override is shown as text, with the fix', async () => {
    idp.script = { ...idp.script, authorizeError: { error: 'access_denied', description: `${MARKUP} ${RTL} denied` } };
    await app.signIn('hostile-user', { profile: 'hostile', noPages: true, fails: true });
    const notice = await app.expectError('SIGN_IN_CANCELLED');
    const description = notice.locator('.notice__provider bdi').last();
    assert.equal(await description.evaluate((e) => e.textContent), `${MARKUP} ${RTL} denied`);
    assert.match(await notice.innerText(), /What to do: /);
    await assertInert('an error notice');
    await app.screenshot('hostile-error', { fullPage: false });
  });
});

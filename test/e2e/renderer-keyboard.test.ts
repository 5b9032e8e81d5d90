/**
 * The window with the keyboard alone, and its status view, over `oidc-desk ui`: the views in tab order
 * with a visible focus, the flow guide answered by keyboard with the focus following each question, the
 * keychain's state, and a problem found at start-up (a damaged sessions.json) shown with its fix on every
 * view; axe-core on each.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_SKIP, DeskApp } from '../harness/app.ts';

describe('keyboard, focus and status', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;

  before(async () => {
    app = await DeskApp.open({
      // A damaged session index: set aside by the core and reported on every start until dealt with.
      prepare: async (dataDir) => {
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        await writeFile(join(dataDir, 'sessions.json'), '{ this is not JSON', { mode: 0o600 });
      },
    });
  });

  after(async () => {
    await app?.close();
  });

  /** What has the focus: its role-ish tag, its text, and whether its outline shows. */
  const focused = () => app.page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (e === null || e === document.body) return { tag: 'body', text: '', outline: 'none', width: 0 };
    const style = getComputedStyle(e);
    return { tag: e.tagName.toLowerCase(), text: (e.innerText || e.getAttribute('aria-label') || '').trim(), outline: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
  });

  test('Tab walks the views and into the page, and the focus is always visible', async () => {
    const page = app.page;
    await app.goto('#/sessions');
    // A fresh load: the keyboard starts at the top of the page.
    await page.reload();
    await page.locator('section.first-run').waitFor();
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      seen.push(f.text);
      assert.notEqual(f.outline, 'none', `"${f.text}" shows its focus`);
      assert.ok(f.width >= 2, `"${f.text}": the outline is at least 2 px`);
      if (f.text === 'Sign in to the demo provider') break;
    }
    const nav = seen.filter((t) => ['Sessions', 'Profiles', 'Flow guide', 'Status'].includes(t));
    assert.deepEqual(nav, ['Sessions', 'Profiles', 'Flow guide', 'Status'], 'the views in order');
    assert.equal(seen.at(-1), 'Sign in to the demo provider', 'then the first run');
  });

  test('the flow guide answered with the keyboard alone; the focus moves to each new question', async () => {
    const page = app.page;
    await app.goto('#/sessions');
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Flow guide' }).focus();
    await page.keyboard.press('Enter');
    const question = page.locator('section[data-question="person"] h3');
    await question.waitFor();
    for (const expected of ['person', 'password', 'runtime', 'need', 'longLived', 'provider']) {
      await page.locator(`section[data-question="${expected}"]`).waitFor();
      const heading = await focused();
      assert.equal(heading.tag, 'h3', `the focus is on the ${expected} question`);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
    }
    const result = page.locator('section[data-flow-result]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-flow-result'), 'Authorization code with PKCE');
  });

  test('a problem found at start-up is shown on every view with its fix, and the status view names the keychain', async () => {
    const page = app.page;
    await app.goto('#/sessions');
    const banner = page.locator('.app-problems .notice--error[data-code="INDEX_CORRUPT"]');
    await banner.waitFor();
    assert.match(await banner.innerText(), /What to do: Look at the copy the message names, then delete it\./);
    await app.goto('#/guide');
    await banner.waitFor();
    await app.nav('Status');
    const keychain = page.locator('section[data-keychain]');
    await keychain.waitFor();
    assert.equal(await keychain.getAttribute('data-keychain'), 'available');
    assert.match(await keychain.innerText(), /New sessions are stored/);
    await page.locator('section[aria-labelledby="problems-title"] .notice--error[data-code="INDEX_CORRUPT"]').waitFor();
    assert.equal(await page.locator('.app-problems').count(), 0, 'the status view lists it once, in its place');
    assert.equal(await page.locator('[data-demo-running]').getAttribute('data-demo-running'), 'false');
    assert.equal(await page.getByRole('link', { name: /^keychain/ }).innerText(), 'keychain');
    await app.screenshot('status');
    await app.assertAccessible('status');
    assert.deepEqual(app.pageErrors, []);
  });
});

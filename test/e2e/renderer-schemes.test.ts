/**
 * The profile view's URI schemes in a real browser. In browser mode (`oidc-desk ui`, no scheme host) a plain
 * line says that the desktop app registers them. With a scheme host, composed as the desktop app will compose
 * it (the real Linux registry under a private X display and XDG home, whose handler is a stand-in for the
 * app's second instance, NOT the app; every URL it receives goes through `intercept` as the app's deep-link
 * dispatcher will do), the view shows registered or not and by which handler, and "Test" runs the self-test
 * through xdg-open. Both pass axe-core.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { startWebServer, type WebServer } from '../../src-main/web/server.ts';
import { APP_SKIP, DeskApp, SCREENSHOT_DIR, WAIT_MS, ensureRendererBuilt } from '../harness/app.ts';
import { launchChromium } from '../harness/browser.ts';
import { standInRegistry } from '../harness/private-desktop.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { handoffSkipReason, startHandoffEnvironment, type HandoffEnvironment } from '../harness/xdg-handoff.ts';

const ISSUER = 'https://dev-123456.okta.com/oauth2/default';
const CLIENT_ID = '0oa1b2c3d4e5f6g7h8i9';

describe('browser mode: the profile view says scheme registration is the desktop app\'s', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp | undefined;
  after(async () => {
    await app?.close();
  });

  test('a line instead of a status, only when a profile redirects to a scheme; accessible', async () => {
    app = await DeskApp.open();
    const page = app.page;
    await app.addProfile({ preset: 'generic', name: 'loopback-only', issuer: ISSUER, clientId: CLIENT_ID });
    await app.goto('#/profiles');
    await page.locator('table.profiles tr[data-profile="loopback-only"]').waitFor();
    assert.equal(await page.locator('.scheme-registrations').count(), 0, 'no scheme section for loopback profiles only');

    await app.addProfile({ preset: 'auth0', name: 'app-scheme', issuer: ISSUER, clientId: CLIENT_ID });
    await app.addProfile({ preset: 'generic', name: 'okta-scheme', issuer: ISSUER, clientId: CLIENT_ID, redirect: 'com.okta.example:/callback' });
    await app.goto('#/profiles');
    const line = page.locator('[data-scheme-host="unavailable"]');
    await line.waitFor();
    assert.match(await line.innerText(), /Scheme registration is done by the desktop app/);
    assert.equal(await page.locator('.scheme-registrations').getByRole('button', { name: /^Test/ }).count(), 0, 'nothing to test from a tab');
    assert.equal(await page.locator('[data-code]').count(), 0, 'the expected refusal is not shown as an error');
    await app.screenshot('profiles-schemes-browser-mode');
    await app.assertAccessible('profiles with schemes in browser mode');
  });
});

/** Serious and critical axe-core violations on the page, in the light and the dark theme. */
async function violations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).analyze();
    for (const v of results.violations) if (v.impact === 'serious' || v.impact === 'critical') found.push(`${v.id} (${colorScheme}): ${v.help}`);
  }
  return found;
}

const DESKTOP_SKIP = APP_SKIP || handoffSkipReason() || false;

describe('with a scheme host: registered or not, the handler, and the self-test', { skip: DESKTOP_SKIP, timeout: 300_000 }, () => {
  let env: HandoffEnvironment | undefined;
  let desk: Desk | undefined;
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;
  let dispatching = true;
  after(async () => {
    dispatching = false;
    await browser?.close();
    await web?.close();
    desk?.close();
    await env?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  test('the view reads the OS, and Test shows the self-test arriving, or timing out for a scheme another program holds; accessible', async () => {
    await ensureRendererBuilt();
    env = await startHandoffEnvironment({ scheme: 'org.example.harness' });
    const handoffs = env;
    const schemes = standInRegistry(env, ['dev.oidcdesk', 'com.okta.example', 'org.example.taken'], 5_000);
    // The deep-link dispatcher of the app: every URL the OS hands over goes to `intercept` first.
    const undelivered: string[] = [];
    void (async () => {
      while (dispatching) {
        const handoff = await handoffs.nextHandoff(2_000).catch(() => undefined);
        if (handoff?.deepLink != null && !schemes.intercept(handoff.deepLink)) undelivered.push(handoff.deepLink);
      }
    })();

    dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-schemes-ui-'));
    desk = await openDesk({ dataDir, secrets: new MemorySecretStore(), schemes });
    for (const [name, redirect] of [['okta', 'com.okta.example:/callback'], ['taken', 'org.example.taken:/callback'], ['cli', 'loopback']] as const) {
      const added = await desk.api.addProfile({ profile: { name, issuer: ISSUER, clientId: CLIENT_ID, redirect } });
      assert.ok(added.ok);
    }
    // Another program takes org.example.taken over after OIDC Desk registered it.
    const applications = join(String(env.env['XDG_DATA_HOME']), 'applications');
    await writeFile(join(applications, 'other.desktop'), '[Desktop Entry]\nType=Application\nName=Other\nExec=/bin/true %u\nMimeType=x-scheme-handler/org.example.taken;\n');
    assert.equal(spawnSync('xdg-mime', ['default', 'other.desktop', 'x-scheme-handler/org.example.taken'], { env: env.env }).status, 0);

    web = await startWebServer({ api: desk.api });
    recordSecrets(new URL(web.connectUrl).searchParams.get('token'));
    browser = await launchChromium();
    // axe-core needs a page of a context made for it (AxeBuilder refuses browser.newPage()).
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(web.connectUrl);
    await page.waitForURL((u) => u.pathname === '/' && u.search === '');
    await page.goto(`${web.origin}/#/profiles`);

    const okta = page.locator('tr[data-scheme-profile="okta"]');
    await page.locator('tr[data-scheme-profile="okta"][data-registered="yes"]').waitFor();
    assert.match(await okta.innerText(), /com\.okta\.example/);
    assert.match(await okta.innerText(), /oidc-desk-url-handler\.desktop/, 'the handler the desktop names');
    const taken = page.locator('tr[data-scheme-profile="taken"][data-registered="no"]');
    await taken.waitFor();
    assert.match(await taken.innerText(), /other\.desktop/);
    assert.equal(await page.locator('tr[data-scheme-profile="cli"]').count(), 0, 'a loopback profile has no scheme row');
    assert.equal(await page.locator('[data-scheme-host="unavailable"]').count(), 0);

    await okta.getByRole('button', { name: 'Test com.okta.example for okta' }).click();
    const arrived = okta.locator('[data-test-outcome="arrived"]');
    await arrived.waitFor();
    assert.match(await arrived.innerText(), /^Arrived: the operating system handed the test link back after \d+ ms\.$/);

    await taken.getByRole('button', { name: 'Test org.example.taken for taken' }).click();
    await taken.locator('[data-code="SCHEME_TEST_TIMEOUT"]').waitFor();
    assert.deepEqual(undelivered, [], 'no self-test URL went on to the callback router');

    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'profiles-schemes-desktop-light.png'), fullPage: true, animations: 'disabled' });
    assert.deepEqual(await violations(page), []);
  });
});

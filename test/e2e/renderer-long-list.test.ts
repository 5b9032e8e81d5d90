/**
 * A long session list in the window, over `oidc-desk ui` in Chromium against the local provider and the
 * real keychain: 45 sessions of 45 users in two profiles (the test-only password grant: no browser), more
 * than the first step of a long list. A fresh load shows the first step's rows in its first commit with
 * rows, then every session, each once, in the list's order (by profile, then oldest first); nothing is lost
 * on the way. axe-clean.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_STEP_ROWS } from '../../src-renderer/hooks/use-rows-in-steps.ts';
import { APP_SKIP, DeskApp } from '../harness/app.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { passwordClient, testSecret } from '../harness/service-clients.ts';

const SESSIONS = FIRST_STEP_ROWS + 5;
/** The first profile's share: the first step takes all of its rows and some of the second's. */
const IN_FIRST = 25;
const USERS = Array.from({ length: SESSIONS }, (_, i) => ({
  sub: `user-${i}`, username: `user${i}`, password: testSecret(`long-list-${i}`), name: `User ${i}`, email: `user${i}@example.com`, emailVerified: true,
}));

type Answer = { readonly ok: boolean; readonly value?: unknown; readonly error?: { readonly code: string; readonly message?: string } };

describe('a long session list in the window', { skip: APP_SKIP, timeout: 300_000 }, () => {
  let app: DeskApp;
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp({ users: USERS, clients: [passwordClient('pw-a'), passwordClient('pw-b')], grants: { password: true } });
    app = await DeskApp.open();
  });

  after(async () => {
    await app?.close();
    await idp?.stop();
  });

  /** Calls the window's API (`window.oidcDesk`) as the renderer does. */
  const call = (method: string, input: unknown): Promise<Answer> => app.page.evaluate(([m, i]) => {
    const desk = (window as unknown as { oidcDesk: Record<string, (input: unknown) => Promise<Answer>> }).oidcDesk;
    return desk[m as string]?.(i) ?? Promise.reject(new Error(`no ${String(m)}`));
  }, [method, input] as const);

  test('a fresh load shows the first step of rows, then every session once, in order', async () => {
    const page = app.page;
    for (const name of ['pw-b', 'pw-a']) {
      const added = await call('addProfile', { profile: { name, issuer: idp.issuer, clientId: name, scopes: 'openid profile', allowHttpLoopback: true, flow: 'password' } });
      assert.ok(added.ok, `addProfile ${name}: ${added.error?.code}`);
    }
    for (let i = 0; i < SESSIONS; i += 5) {
      const batch = await Promise.all(USERS.slice(i, i + 5).map((u, j) => call('startSignIn', { profile: i + j < IN_FIRST ? 'pw-a' : 'pw-b', username: u.username, password: u.password })));
      for (const r of batch) assert.ok(r.ok, `a password sign-in: ${r.error?.code} ${r.error?.message}`);
    }
    const ids = (await app.sessions()).map((s) => s.id);
    assert.equal(new Set(ids).size, SESSIONS);

    // Every commit that changes the rows, as the page makes them: their count after each.
    await app.context.addInitScript(() => {
      const counts: number[] = [];
      (window as unknown as { rowCounts: number[] }).rowCounts = counts;
      new MutationObserver(() => {
        const n = document.querySelectorAll('.session-row').length;
        if (n !== counts.at(-1)) counts.push(n);
      }).observe(document, { childList: true, subtree: true });
    });
    await app.goto('#/sessions');
    await page.reload();
    await page.waitForFunction((n) => document.querySelectorAll('.session-row').length === n, SESSIONS);
    const counts = await page.evaluate(() => (window as unknown as { rowCounts: number[] }).rowCounts);
    assert.deepEqual(counts.filter((n) => n > 0), [FIRST_STEP_ROWS, SESSIONS], 'the first step of rows, then all of them');

    const shown = await page.locator('.session-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset['session'] ?? ''));
    const listed = (await app.sessions()) as unknown as { id: string; profile: string; createdAt: number }[];
    const expected = [...listed].sort((a, b) => (a.profile < b.profile ? -1 : a.profile > b.profile ? 1 : 0) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((s) => s.id);
    assert.deepEqual(shown, expected, 'every session once: pw-a, then pw-b, each oldest first');
    assert.equal(await page.locator('section[data-profile="pw-a"] .session-row').count(), IN_FIRST);
    // The window as seen (a full-page shot leaves rows off screen blank: they are not painted until scrolled to).
    await app.screenshot('sessions-long-list', { fullPage: false });
    await app.assertAccessible('a long session list');
  });
});

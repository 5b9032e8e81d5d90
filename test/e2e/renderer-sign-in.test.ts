/**
 * The desktop window in a real browser: `oidc-desk ui` (real core, real keychain, the embedded demo
 * provider) in Chromium. First run, sign-in through the provider's pages in a second page, the session and
 * its tokens with the verification report, reveal and copy, refresh (rotation, new expiry, claim diff),
 * userinfo, the live timeline and its HAR export, a second account and switching, an error, revocation,
 * sign-out; no refresh token in anything the page receives; a countdown tick touches only countdown text.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { APP_SKIP, ACCOUNTS, DeskApp, parseEvents } from '../harness/app.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

const fingerprint = (secret: string): string => `***masked-${createHash('sha256').update(secret).digest('hex').slice(0, 8)}`;

describe('the window through browser mode, signed in to the demo provider', { skip: APP_SKIP, timeout: 600_000 }, () => {
  let app: DeskApp;
  let alice = '';
  let bob = '';
  /** Every refresh token the keychain held during the test: none may reach the page. */
  const refreshTokens: string[] = [];
  /** Access and ID token values seen: none may be in the HAR export. */
  const tokens: string[] = [];

  const storedRefreshToken = async (sessionId: string): Promise<string> => {
    const token = await app.cli.storedRefreshToken(sessionId);
    refreshTokens.push(token);
    return token;
  };

  before(async () => {
    app = await DeskApp.open();
    await app.recordEvents();
  });

  after(async () => {
    await app?.close();
  });

  test('first run: one button starts the demo provider and signs in; the session opens on its tokens', async () => {
    const page = app.page;
    await page.locator('section.first-run').waitFor();
    await app.screenshot('first-run');
    await app.assertAccessible('first run');
    const id = await app.signIn('alice', { firstRun: true });
    assert.ok(id !== undefined);
    alice = id;
    assert.equal(await app.expectSession('alice'), alice, 'the list shows the new session');
    await storedRefreshToken(alice);
    const row = app.sessionRow('alice');
    assert.match(await row.getByRole('cell').nth(0).innerText(), /^http:\/\/127\.0\.0\.1:\d+$/, 'the row names the issuer');
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'active');
  });

  test('tokens: presence, the opaque access token said so, the ID token decoded and verified check by check, with a live countdown', async () => {
    const page = app.page;
    const access = page.locator('[data-token="access"]');
    assert.equal(await access.locator('[data-format]').getAttribute('data-format'), 'opaque');
    assert.match(await access.locator('[data-format]').innerText(), /Opaque/);
    assert.match(await access.locator('.countdown').innerText(), /^in \d+ min \d{2} s$|^in \d+ s$/);
    const id = page.locator('[data-token="id"]');
    const verdict = id.locator('.verdict');
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute('data-valid'), 'true');
    const checks = await id.locator('tr[data-check]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-result')]));
    const byId = Object.fromEntries(checks);
    for (const check of ['alg', 'signature', 'iss', 'sub', 'aud', 'exp', 'iat', 'nonce']) assert.equal(byId[check], 'pass', `${check} passes`);
    assert.ok(checks.every(([, result]) => result !== 'fail'), 'no check fails');
    const claims = id.getByRole('table', { name: 'ID token claims' });
    assert.equal(await claims.getByRole('row', { name: /^sub / }).getByRole('cell').innerText(), 'user-alice');
    assert.match(await claims.getByRole('row', { name: /^exp / }).getByRole('cell').innerText(), /^\d{10} \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\)$/, 'exp with its readable time');
    assert.match(await claims.getByRole('row', { name: /^nonce / }).getByRole('cell').innerText(), /^\*\*\*masked-[0-9a-f]{8}$/, 'the nonce is masked');
    assert.match(await page.locator('[data-token="refresh"] [data-present]').innerText(), /OS keychain/);
    await app.screenshot('tokens');
    await app.assertAccessible('tokens');
  });

  test('reveal and copy: a token is shown or copied only on an explicit action, and it is the one the masked fingerprint names', async () => {
    const page = app.page;
    const access = page.locator('[data-token="access"]');
    const masked = access.locator('[data-masked="true"]');
    const shownFingerprint = (await masked.innerText()).split(' ')[0] ?? '';
    await access.getByRole('button', { name: 'Reveal access token' }).click();
    const revealed = access.locator('[data-masked="false"]');
    const value = await revealed.innerText();
    recordSecrets(value);
    tokens.push(value);
    assert.equal(fingerprint(value), shownFingerprint, 'the revealed value is the token the fingerprint names');
    await access.getByRole('button', { name: 'Hide access token' }).click();
    await masked.waitFor();
    assert.equal(await revealed.count(), 0, 'hidden again');

    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    const id = page.locator('[data-token="id"]');
    await id.getByRole('button', { name: 'Copy ID token' }).click();
    await id.getByText('Copied to the clipboard.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    recordSecrets(copied);
    tokens.push(copied);
    assert.match(copied, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact JWT');
    assert.equal(fingerprint(copied), (await id.locator('[data-masked="true"]').innerText()).split(' ')[0], 'the copied value is the ID token shown masked');
    assert.equal(await id.locator('[data-masked="false"]').count(), 0, 'copying does not show the value');
    assert.equal(await page.getByRole('button', { name: /Reveal refresh token|Copy refresh token/ }).count(), 0, 'a refresh token has no reveal or copy');
  });

  test('refresh: the refresh token rotates in the keychain, the access token and its expiry change, and the claim diff shows what changed', async () => {
    const page = app.page;
    const before = refreshTokens.at(-1) ?? '';
    // The provider's times are in whole seconds: let one pass, so the refreshed ID token's iat differs.
    await sleep(1100);
    const changes = await app.refresh();
    assert.equal(await changes.locator('[data-access-changed]').getAttribute('data-access-changed'), 'true', 'a new access token');
    assert.equal(await changes.locator('[data-expiry-changed]').getAttribute('data-expiry-changed'), 'true', 'a new expiry');
    for (const claim of ['iat', 'exp']) {
      assert.equal(await changes.locator(`tr[data-claim="${claim}"]`).getAttribute('data-change'), 'changed', `${claim} changed`);
    }
    assert.equal(await changes.locator('tr[data-claim="sub"]').count(), 0, 'sub did not change');
    const after = await storedRefreshToken(alice);
    assert.notEqual(after, before, 'the refresh token was rotated in the keychain');
    await page.locator('[data-token="id"] .verdict[data-valid="true"]').waitFor();
    await changes.evaluate((e) => e.scrollIntoView());
    await app.screenshot('refreshed', { fullPage: false });
    await app.assertAccessible('tokens after a refresh');
  });

  test('userinfo: the claims compared with the ID token, and the raw JSON', async () => {
    const page = app.page;
    await app.tab('Userinfo');
    const table = page.getByRole('table', { name: /Userinfo claims compared/ });
    await table.waitFor();
    for (const claim of ['sub', 'email', 'name']) assert.equal(await table.locator(`tr[data-claim="${claim}"]`).getAttribute('data-relation'), 'same', `${claim} is the same`);
    assert.match(await page.getByLabel('Userinfo response as JSON').innerText(), /"email": "alice@example\.com"/);
    await app.screenshot('userinfo');
    await app.assertAccessible('userinfo');
  });

  test('timeline: every exchange with masked headers and bodies, growing live, exported as a masked HAR 1.2 file', async () => {
    const page = app.page;
    await app.tab('Timeline');
    const entries = page.locator('li.timeline__entry');
    await entries.first().waitFor();
    const count = await entries.count();
    assert.ok(count >= 5, `discovery, code exchange, keys, refresh, userinfo (${count})`);
    const tokenRequests = entries.filter({ has: page.locator('.timeline__method', { hasText: /^POST$/ }) }).filter({ has: page.locator('.timeline__url', { hasText: /\/token$/ }) });
    assert.ok(await tokenRequests.count() >= 2, 'the code exchange and the refresh');
    const refreshEntry = tokenRequests.nth(1);
    await refreshEntry.locator('summary').click();
    const body = await refreshEntry.getByLabel('Request body').innerText();
    assert.match(body, /grant_type=refresh_token/);
    assert.match(body, /refresh_token=\*\*\*masked-[0-9a-f]{8}/, 'the refresh token is masked');
    for (const secret of refreshTokens) assert.ok(!body.includes(secret));
    assert.match(await refreshEntry.getByLabel('Response body').innerText(), /"access_token":"\*\*\*masked-[0-9a-f]{8}"/);
    await page.getByRole('navigation', { name: 'Session views' }).evaluate((e) => e.scrollIntoView());
    await app.screenshot('timeline', { fullPage: false });
    await app.assertAccessible('timeline');

    // Live: a refresh made elsewhere in the window appears without reloading the list.
    await page.locator('section.session-detail').getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.waitForFunction((n) => document.querySelectorAll('li.timeline__entry').length > n, count);
    await storedRefreshToken(alice);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as HAR file' }).click()]);
    assert.equal(download.suggestedFilename(), `oidc-desk-${alice}.har`);
    const text = await readFile(await download.path(), 'utf8');
    const har = JSON.parse(text) as { log: { version: string; creator: { name: string }; entries: { request: { method: string; url: string }; response: { status: number } }[] } };
    assert.equal(har.log.version, '1.2');
    assert.equal(har.log.creator.name, 'OIDC Desk');
    assert.equal(har.log.entries.length, await entries.count(), 'one HAR entry per exchange shown');
    assert.ok(har.log.entries.some((e) => e.request.method === 'POST' && e.request.url.endsWith('/token') && e.response.status === 200));
    for (const secret of [...refreshTokens, ...tokens]) assert.ok(!text.includes(secret), 'the HAR file holds no token');
    assert.match(text, /\*\*\*masked-[0-9a-f]{8}/);
    await page.getByText(`Saved oidc-desk-${alice}.har (masked).`).waitFor();
  });

  test('a second account, and switching between the two', async () => {
    const page = app.page;
    const id = await app.signIn('bob');
    assert.ok(id !== undefined);
    bob = id;
    await storedRefreshToken(bob);
    await app.goto(`#/sessions/${bob}/tokens`);
    assert.equal(await app.sessionRow('bob').getAttribute('aria-current'), 'true', 'bob is the current session');
    await app.sessionRow('alice').getByRole('link', { name: `Switch to ${ACCOUNTS['alice']}` }).click();
    await page.locator(`section.session-detail[data-session="${alice}"]`).waitFor();
    assert.equal(await app.sessionRow('alice').getAttribute('aria-current'), 'true', 'alice is current now');
    assert.equal(await app.sessionRow('bob').getAttribute('aria-current'), null);
    await app.screenshot('sessions');
    await app.assertAccessible('sessions');
  });

  test('an error: consent denied at the provider reads "Sign-in cancelled" with what to do, and nothing is stored', async () => {
    const page = app.page;
    const before = (await app.sessions()).length;
    await app.signIn('alice', { consent: 'deny' });
    const notice = await app.expectError('SIGN_IN_CANCELLED');
    assert.match(await notice.innerText(), /Sign-in with demo: Sign-in cancelled/);
    assert.match(await notice.innerText(), /What to do: Nothing was stored\./);
    assert.equal((await app.sessions()).length, before, 'no session added');
    assert.equal(await page.locator('.sign-in-pending').count(), 0, 'the sign-in no longer waits');
    await app.screenshot('sign-in-cancelled', { fullPage: false });
    await app.assertAccessible('an error');
  });

  test('a countdown tick changes only countdown and status text', async () => {
    const page = app.page;
    await app.openSession('alice', 'Tokens');
    await page.locator('[data-token="id"] .verdict').waitFor();
    const changed = await page.evaluate(async () => {
      const outside: string[] = [];
      let inside = 0;
      const observer = new MutationObserver((records) => {
        for (const r of records) {
          const node = r.target instanceof Element ? r.target : r.target.parentElement;
          if (node?.closest('.countdown, .badge') !== null && node !== null) inside += 1;
          else outside.push(node?.outerHTML.slice(0, 120) ?? String(r.target));
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      observer.disconnect();
      return { inside, outside };
    });
    assert.deepEqual(changed.outside, [], 'nothing but countdown and status text changed');
    assert.ok(changed.inside > 0, 'the seconds countdowns changed');
  });

  test('revoking the refresh token ends the grant: the session reads "sign-in needed"', async () => {
    const page = app.page;
    await app.openSession('bob', 'Tokens');
    const card = page.locator('[data-token="refresh"]');
    await card.getByRole('button', { name: 'Revoke refresh token…' }).click();
    await card.getByRole('button', { name: 'Revoke it' }).click();
    await card.getByText('The refresh token was revoked.').waitFor();
    await page.locator('section.session-detail [data-status="sign-in-needed"]').waitFor();
    assert.equal(await app.sessionRow('bob').locator('[data-status]').getAttribute('data-status'), 'sign-in-needed');
  });

  test('sign-out: the session leaves the list and the keychain, its tokens revoked at the provider', async () => {
    const notice = await app.signOut('alice');
    assert.match(await notice.innerText(), /Refresh token: revoked at the provider\./);
    assert.match(await notice.innerText(), /Access token: revoked at the provider\./);
    const read = await new KeytarSecretStore({ service: app.cli.service }).get(alice);
    assert.equal(read.kind, 'absent', 'the keychain entry is gone');
    assert.ok(!(await app.sessions()).some((s) => s.id === alice));
  });

  test('nothing the page received carries a refresh token, and the page raised no error', async () => {
    const events = await app.recordedEvents();
    assert.ok(parseEvents(events).some((e) => e.type === 'sign-in-completed'), 'the page heard the events');
    assert.ok(app.apiBodies.length > 10, 'the page made API calls');
    const received = [...app.apiBodies, ...events, await app.page.content()].join('\n');
    assert.ok(refreshTokens.length >= 4);
    for (const token of refreshTokens) assert.ok(!received.includes(token), 'no refresh token reached the page');
    assert.deepEqual(app.pageErrors, []);
    assert.deepEqual(app.dialogs, []);
  });
});

/**
 * The whole path a renderer takes, in Chromium through browser mode, against the real core, the real
 * keychain and the local oidc-provider: the connection URL gives an HttpOnly cookie and leaves the token
 * out of the address bar; `window.oidcDesk` has every operation of DeskApi; a profile with a loopback
 * redirect, a sign-in on the provider's pages in a second browser, `sign-in-completed` on the event
 * stream, sessions, refresh, the HAR export (masked), sign-out; no result or event carries the refresh
 * token; a dropped connection and a lost cookie resolve as transport failures; a reconnecting stream
 * gets the events it missed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { DESK_OPERATIONS } from '../../src-main/core/api/schemas.ts';
import type { DeskApi, DeskEvent, HarDocument, ProfileView, Result, SessionView, SignInStart, SignOutView, TokenValue } from '../../src-main/core/contract.ts';
import { launchChromium } from '../harness/browser.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { callApi, closeTestWebs, connect, openEvents, startTestWeb } from '../harness/web-server.ts';

const { idp, browser: agent } = useLocalProvider();
/** The browser the pages of OIDC Desk run in (the agent's is for the provider's pages). */
let chromium: Browser;
before(async () => {
  chromium = await launchChromium();
});
after(async () => {
  await closeTestWebs();
  await chromium?.close();
});

type PageWindow = { oidcDesk: DeskApi; seen: DeskEvent[]; results: unknown[] };

/** Calls `window.oidcDesk[operation](input)` in the page; keeps every result in the page for the final grep. */
async function call<T>(page: Page, operation: string, input?: unknown): Promise<Result<T>> {
  return page.evaluate(async ([op, arg]) => {
    const w = window as unknown as PageWindow;
    const fn = (w.oidcDesk as unknown as Record<string, (i?: unknown) => Promise<unknown>>)[op as string];
    const result = await (arg === undefined ? fn!() : fn!(arg));
    w.results.push(result);
    return result;
  }, [operation, input] as const) as Promise<Result<T>>;
}

async function ok<T>(page: Page, operation: string, input?: unknown): Promise<T> {
  const r = await call<T>(page, operation, input);
  if (!r.ok) assert.fail(`${operation}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Waits (bounded by the test's timeout, not a timing assertion) for an event the page received. */
async function pageEvent(page: Page, type: DeskEvent['type'], flowOrSession?: string): Promise<DeskEvent> {
  const handle = await page.waitForFunction(([t, id]) => {
    const w = window as unknown as PageWindow;
    return w.seen.find((e) => e.type === t && (id === undefined || JSON.stringify(e).includes(id))) ?? false;
  }, [type, flowOrSession] as const, { timeout: 60_000 });
  return (await handle.jsonValue()) as DeskEvent;
}

test('a page signs in, refreshes, exports a masked HAR and signs out through window.oidcDesk; no refresh token ever reaches it', { timeout: 180_000 }, async () => {
  const web = await startTestWeb();
  const context = await chromium.newContext();
  try {
    const page = await context.newPage();
    await page.goto(web.server.connectUrl);
    await page.waitForURL(`${web.origin}/`);
    assert.equal(page.url(), `${web.origin}/`, 'the token is out of the address bar');
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');
    const [cookie] = await context.cookies(web.origin);
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(cookie?.path, '/');
    recordSecrets(cookie?.value);
    assert.ok(cookie !== undefined && !web.server.connectUrl.includes(cookie.value), 'the cookie is a secret of its own, not the token');

    const keys = await page.evaluate(() => Object.keys((window as unknown as PageWindow).oidcDesk).sort());
    assert.deepEqual(keys, [...DESK_OPERATIONS, 'subscribe'].sort(), 'window.oidcDesk has exactly the operations of DeskApi, and subscribe');
    assert.equal(await page.evaluate(() => {
      const w = window as unknown as { oidcDesk: unknown };
      try {
        w.oidcDesk = {};
      } catch {
        // strict mode code would throw; the page's scripts are modules
      }
      return Object.isFrozen(w.oidcDesk) && typeof (w.oidcDesk as Record<string, unknown>)['listSessions'] === 'function';
    }), true, 'a script of the page cannot replace it');

    await page.evaluate(() => {
      const w = window as unknown as PageWindow;
      w.seen = [];
      w.results = [];
      w.oidcDesk.subscribe((e) => w.seen.push(e));
    });

    const profile = await ok<ProfileView>(page, 'addProfile', { profile: { name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'loopback', extraParams: { prompt: 'consent' } } });
    assert.equal(profile.redirect, 'loopback');
    const check = await ok<{ features: { id: string; status: string }[] }>(page, 'checkProvider', { profile: 'local' });
    assert.equal(check.features.find((f) => f.id === 'pkce-s256')?.status, 'supported');

    const started = await ok<SignInStart>(page, 'startSignIn', { profile: 'local' });
    assert.match(started.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    await pageEvent(page, 'sign-in-started', started.flowId);
    const user = DEMO_USERS[0]!;
    // The provider's login and consent pages, in a second browser, as the system browser would show them.
    const redirect = await agent.signIn(started.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: started.redirectUri });
    recordSecrets(...redirectSecrets(redirect));
    const completed = await pageEvent(page, 'sign-in-completed', started.flowId);
    assert.equal(completed.type, 'sign-in-completed');
    const id = completed.type === 'sign-in-completed' ? completed.session.id : '';
    assert.equal(completed.type === 'sign-in-completed' ? completed.session.subject : '', user.sub);

    const sessions = await ok<SessionView[]>(page, 'listSessions');
    assert.deepEqual(sessions.map((s) => s.id), [id]);
    assert.equal(sessions[0]?.hasRefreshToken, true);
    assert.equal(sessions[0]?.storage, web.secrets.persistent ? 'keychain' : 'session-only');
    const stored = await web.secrets.get(id);
    assert.equal(stored.kind, 'found', 'the refresh token is in the keychain');
    const first = stored.kind === 'found' ? stored.secret.refreshToken : '';
    recordSecrets(first);

    const before = sessions[0]?.accessToken?.fingerprint;
    const refreshed = await ok<SessionView>(page, 'refreshSession', { sessionId: id });
    assert.notEqual(refreshed.accessToken?.fingerprint, before, 'a new access token');
    await pageEvent(page, 'session-updated', id);
    const rotated = await web.secrets.get(id);
    const second = rotated.kind === 'found' ? rotated.secret.refreshToken : '';
    recordSecrets(second);
    assert.notEqual(second, first, 'the refresh token rotated');

    const access = await ok<TokenValue>(page, 'revealToken', { sessionId: id, type: 'access' });
    recordSecrets(access.value);
    const refused = await call(page, 'revealToken', { sessionId: id, type: 'refresh' });
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'USAGE', 'a refresh token is never revealed');

    const har = await ok<HarDocument>(page, 'exportHar', { sessionId: id });
    assert.equal(har.log.version, '1.2');
    assert.ok(har.log.entries.some((e) => e.request.url.includes('/token')), 'the code exchange and the refresh are in it');
    const harText = JSON.stringify(har);
    for (const secret of [first, second, access.value, ...redirectSecrets(redirect)]) assert.ok(!harText.includes(secret), 'the HAR is masked');
    await pageEvent(page, 'timeline', id);

    const out = await ok<SignOutView>(page, 'signOut', { sessionId: id });
    assert.equal(out.revoked, true);
    await pageEvent(page, 'session-removed', id);
    assert.deepEqual(await ok<SessionView[]>(page, 'listSessions'), []);
    assert.equal((await web.secrets.get(id)).kind, 'absent', 'the keychain entry is gone');

    const everything = await page.evaluate(() => {
      const w = window as unknown as PageWindow;
      return JSON.stringify([w.results, w.seen]);
    });
    for (const token of [first, second]) assert.ok(token.length > 0 && !everything.includes(token), 'no result or event the page got carries a refresh token');

    // A page without its cookie, then a server that went away: results with HTTP_NETWORK, never a rejection.
    await context.clearCookies();
    const lost = await call(page, 'listSessions');
    assert.deepEqual(lost.ok ? 'ok' : [lost.error.code, lost.error.status], ['HTTP_NETWORK', 401]);
    await web.close();
    const gone = await call(page, 'listSessions');
    assert.equal(gone.ok ? 'ok' : gone.error.code, 'HTTP_NETWORK');
  } finally {
    await context.close();
    await web.close();
  }
});

test('a profile with a custom-scheme redirect cannot sign in from a page: REDIRECT_UNSUPPORTED, and no sign-in is left waiting', { timeout: 60_000 }, async () => {
  const web = await startTestWeb();
  try {
    const cookie = await connect(web.server);
    const stream = await openEvents(web.origin, cookie);
    const add = await callApi(web.origin, 'addProfile', { profile: { name: 'app', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme' } }, cookie);
    assert.ok(add.ok);
    const r = await callApi(web.origin, 'startSignIn', { profile: 'app' }, cookie);
    assert.equal(r.ok ? 'ok' : r.error.code, 'REDIRECT_UNSUPPORTED');
    const failed = await stream.next((e) => e.type === 'sign-in-failed');
    assert.equal(failed.type === 'sign-in-failed' ? failed.error.code : '', 'SIGN_IN_CANCELLED', 'the flow the API started was cancelled at once');
    stream.close();
  } finally {
    await web.close();
  }
});

test('a stream that reconnects with Last-Event-ID gets the events it missed; heartbeats keep an idle stream alive', { timeout: 60_000 }, async () => {
  const web = await startTestWeb({ heartbeatMs: 50 });
  try {
    const cookie = await connect(web.server);
    const first = await openEvents(web.origin, cookie);
    const add = (name: string) => callApi(web.origin, 'addProfile', { profile: { name, issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'loopback' } }, cookie);
    assert.ok((await add('one')).ok);
    const started = await callApi<SignInStart>(web.origin, 'startSignIn', { profile: 'one' }, cookie);
    assert.ok(started.ok);
    await first.next((e) => e.type === 'sign-in-started');
    const lastSeen = first.events.at(-1)?.id ?? 0;
    assert.ok(lastSeen > 0, 'events carry ids');
    first.close();
    // While no page listens: the sign-in is cancelled.
    assert.ok((await callApi(web.origin, 'cancelSignIn', { flowId: started.ok ? started.value.flowId : '' }, cookie)).ok);
    const again = await openEvents(web.origin, cookie, { 'last-event-id': String(lastSeen) });
    const missed = await again.next((e) => e.type === 'sign-in-failed');
    assert.equal(missed.type === 'sign-in-failed' ? missed.error.code : '', 'SIGN_IN_CANCELLED', 'the event missed while away is replayed');
    assert.ok((again.events[0]?.id ?? 0) > lastSeen, 'only what came after the last event seen');
    // Bounded polling (a safety net, not a timing assertion).
    for (let i = 0; i < 3000 && !again.text().includes(': keep-alive'); i += 1) await sleep(20);
    assert.match(again.text(), /^: keep-alive$/m, 'an idle stream gets heartbeat comments');
    again.close();
  } finally {
    await web.close();
  }
});

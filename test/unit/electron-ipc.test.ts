/**
 * The desktop app's IPC over a REAL desk (openDesk, the real keychain under the test keyring, the local
 * oidc-provider and Chromium for a sign-in), with the FAKE electron's ipcMain and window standing in for Electron
 * (test/harness/fake-electron.ts, not Electron): a foreign sender is refused before anything runs, bad arguments
 * are USAGE, good ones get the API's results, the callback arrives as a deep link with injected arguments and
 * brings the window up, and no reply or event sent to the window ever carries a refresh token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskApi, DeskEvent, SignInStart } from '../../src-main/core/contract.ts';
import { openDesk } from '../../src-main/core/desk.ts';
import { APP_PAGE_URL, isAppUrl } from '../../src-main/electron/app-protocol.ts';
import { EVENT_CHANNEL } from '../../src-main/electron/channels.ts';
import { installDeepLinks, registeredSchemes } from '../../src-main/electron/deep-links.ts';
import { registerIpc } from '../../src-main/electron/ipc.ts';
import { SystemBrowser, browserHandoffHook, endFlowsOnEvents } from '../../src-main/electron/system-browser.ts';
import { bringToFront } from '../../src-main/electron/window.ts';
import { FakeBrowserWindow, FakeEvent, FakeFrame, FakeIpcMain, called, shell } from '../harness/fake-electron.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { testSecrets } from '../harness/web-server.ts';

const { idp, browser } = useLocalProvider();

type Reply = { ok: true; value: unknown } | { ok: false; error: { code: string } };

function codeOf(reply: unknown): string {
  const r = reply as Reply;
  return r.ok ? 'ok' : r.error.code;
}

test('IPC over a real desk: foreign senders refused, bad arguments USAGE, a sign-in and a refresh, no refresh token to the window', { timeout: 120_000 }, async () => {
  const secrets = testSecrets();
  const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-ipc-')), secrets });
  const ipcMain = new FakeIpcMain();
  const window = new FakeBrowserWindow({});
  await window.loadURL(APP_PAGE_URL);
  const systemBrowser = new SystemBrowser({ shell, tempDir: await mkdtemp(join(tmpdir(), 'oidc-desk-ipc-tmp-')) });
  const stopFlows = endFlowsOnEvents(desk.api, systemBrowser);
  const unregister = registerIpc({ ipcMain: ipcMain as never, window: window as never, api: desk.api, isAppUrl, hook: browserHandoffHook(desk.api, systemBrowser) });
  const replies: unknown[] = [];
  const own = () => ({ sender: window.webContents, senderFrame: window.webContents.mainFrame });
  const call = async (operation: string, input?: unknown, event: { sender: unknown; senderFrame: unknown } = own()): Promise<Reply> => {
    const reply = (await ipcMain.invoke(`desk:${operation}`, event, input)) as Reply;
    replies.push(reply);
    return reply;
  };
  const value = async <T>(operation: string, input?: unknown): Promise<T> => {
    const reply = await call(operation, input);
    if (!reply.ok) assert.fail(`${operation}: ${reply.error.code}`);
    return reply.value as T;
  };
  try {
    const profile = { name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', scopes: 'openid profile email offline_access', extraParams: { prompt: 'consent' } };

    // Foreign senders: refused before anything runs (the profile is never added).
    const other = new FakeBrowserWindow({});
    await other.loadURL(APP_PAGE_URL);
    const foreign = [
      { sender: other.webContents, senderFrame: other.webContents.mainFrame },
      { sender: window.webContents, senderFrame: new FakeFrame(APP_PAGE_URL) },
      { sender: window.webContents, senderFrame: null },
      { sender: window.webContents, senderFrame: window.webContents.mainFrame, navigatedTo: 'https://evil.example/' },
      { sender: window.webContents, senderFrame: window.webContents.mainFrame, navigatedTo: 'app://evil/index.html' },
    ];
    for (const { navigatedTo, ...event } of foreign) {
      if (navigatedTo !== undefined) window.webContents.mainFrame.url = navigatedTo;
      assert.equal(codeOf(await call('addProfile', { profile }, event)), 'IPC_SENDER_REFUSED');
      assert.equal(codeOf(await call('listProfiles', undefined, event)), 'IPC_SENDER_REFUSED');
      window.webContents.mainFrame.url = APP_PAGE_URL;
    }
    assert.deepEqual(await value('listProfiles'), [], 'nothing ran for a foreign sender');

    // Bad arguments: USAGE from the operation's schema.
    for (const [operation, input] of [
      ['addProfile', { profile: 42 }], ['addProfile', { profile, extra: true }], ['getSession', { sessionId: 42 }],
      ['listProfiles', 'x'], ['startSignIn', { profile: 'local', timeoutSeconds: -1 }], ['introspectToken', { sessionId: 's', token: 'id' }], ['getSession', undefined],
    ] as const) {
      assert.equal(codeOf(await call(operation, input)), 'USAGE', `${operation} ${JSON.stringify(input)}`);
    }
    assert.deepEqual(await value('listProfiles'), []);

    // Good ones: the API's results.
    assert.equal((await value<{ name: string }>('addProfile', { profile })).name, 'local');
    assert.equal((await value<unknown[]>('listProfiles')).length, 1);
    assert.equal(codeOf(await call('getSession', { sessionId: 's-00000000' })), 'SESSION_NOT_FOUND');

    // A sign-in: the authorization URL goes to the system browser through a redirect file; the callback comes back as a deep link.
    const started = await value<SignInStart>('startSignIn', { profile: 'local' });
    while (called('shell.openExternal').length === 0) await new Promise((r) => setTimeout(r, 10));
    assert.match(String(called('shell.openExternal')[0]?.[0]), /^file:/);
    const completed = new Promise<DeskEvent>((resolve) => {
      const off = desk.api.subscribe((e) => {
        if ((e.type === 'sign-in-completed' || e.type === 'sign-in-failed') && e.flowId === started.flowId) {
          off();
          resolve(e);
        }
      });
    });
    const user = DEMO_USERS[0]!;
    const redirect = await browser.signIn(started.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: 'dev.oidcdesk:/callback' });
    recordSecrets(...redirectSecrets(redirect));
    const app = new (await import('node:events')).EventEmitter();
    const links = installDeepLinks(app as never, ['/opt/oidc-desk/oidc-desk'], []);
    await links.open({
      deliver: (url) => desk.deliverCallback(url),
      schemes: async () => {
        const profiles = await desk.api.listProfiles();
        return registeredSchemes(profiles.ok ? profiles.value : []);
      },
      focus: () => bringToFront(window as never),
    });
    window.minimize();
    app.emit('second-instance', new FakeEvent(), ['/opt/oidc-desk/oidc-desk', '--inspect=9229', '--gpu-launcher=evil', '--', redirect], '/', {});
    await links.idle();
    const outcome = await completed;
    assert.equal(outcome.type, 'sign-in-completed');
    assert.deepEqual({ minimized: window.minimized, focused: window.focused }, { minimized: false, focused: true }, 'the window comes to the front after the callback');
    const sessionId = outcome.type === 'sign-in-completed' ? outcome.session.id : '';
    assert.ok(window.webContents.sent.some(([channel, e]) => channel === EVENT_CHANNEL && (e as DeskEvent).type === 'sign-in-completed'), 'events reach the window');
    assert.ok(!other.webContents.sent.some(([channel]) => channel === EVENT_CHANNEL), 'and no other web contents');

    const before = await secrets.get(sessionId);
    assert.equal(before.kind, 'found');
    const firstRefresh = before.kind === 'found' ? before.secret.refreshToken : '';
    recordSecrets(firstRefresh);
    await value('refreshSession', { sessionId });
    const rotated = await secrets.get(sessionId);
    const secondRefresh = rotated.kind === 'found' ? rotated.secret.refreshToken : '';
    recordSecrets(secondRefresh);
    assert.ok(firstRefresh.length > 0 && secondRefresh.length > 0);
    const access = await value<{ value: string }>('revealToken', { sessionId, type: 'access' });
    recordSecrets(access.value);
    assert.equal(codeOf(await call('revealToken', { sessionId, type: 'refresh' })), 'USAGE', 'a refresh token is never revealed');
    await value('getSession', { sessionId });
    await value('listSessions');
    await value('sessionTimeline', { sessionId });
    await value('introspectToken', { sessionId, token: 'refresh' });

    const everything = JSON.stringify([replies, window.webContents.sent]);
    for (const refreshToken of [firstRefresh, secondRefresh]) assert.ok(!everything.includes(refreshToken), 'no reply or event sent to the window carries a refresh token');
    await value('signOut', { sessionId });
  } finally {
    unregister();
    stopFlows();
    systemBrowser.endAll();
    desk.close();
  }
  assert.equal(ipcMain.handlers.size, 0, 'unregistering removes every handler');
});

test('an operation that throws answers INTERNAL, with no text of the exception', async () => {
  const ipcMain = new FakeIpcMain();
  const window = new FakeBrowserWindow({});
  await window.loadURL(APP_PAGE_URL);
  const api = {
    subscribe: () => () => undefined,
    listSessions: () => Promise.reject(new Error('secret-looking text at-123')),
  } as unknown as DeskApi;
  const unregister = registerIpc({ ipcMain: ipcMain as never, window: window as never, api, isAppUrl });
  const reply = await ipcMain.invoke('desk:listSessions', { sender: window.webContents, senderFrame: window.webContents.mainFrame });
  assert.equal(codeOf(reply), 'INTERNAL');
  assert.ok(!JSON.stringify(reply).includes('at-123'));
  unregister();
});

/**
 * The desktop window's hardening, in plain Node with the FAKE electron module (test/harness/fake-electron.ts,
 * not Electron): its options, permission handlers that deny, navigation, window.open and webviews refused,
 * the app's own protocol serving only the built renderer with the strict CSP, and the menu.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_PAGE_URL, APP_SCHEME_PRIVILEGES, appResponse, isAppUrl, registerAppScheme } from '../../src-main/electron/app-protocol.ts';
import { menuTemplate } from '../../src-main/electron/menu.ts';
import { bringToFront, createMainWindow, hardenAllWebContents, windowOptions, type WindowConstructor } from '../../src-main/electron/window.ts';
import { CONTENT_SECURITY_POLICY } from '../../src-main/web/security-headers.ts';
import { CLIENT_SCRIPT_PATH } from '../../src-main/web/static-files.ts';
import { FakeBrowserWindow, FakeEvent, FakeWebContents, app, called, protocol } from '../harness/fake-electron.ts';

type MenuItemConstructorOptions = ReturnType<typeof menuTemplate>[number];

test('the window options are the hardened ones, with the preload', () => {
  const prefs = windowOptions('/x/preload.cjs').webPreferences ?? {};
  assert.deepEqual(
    { contextIsolation: prefs.contextIsolation, sandbox: prefs.sandbox, nodeIntegration: prefs.nodeIntegration, webviewTag: prefs.webviewTag, webSecurity: prefs.webSecurity, allowRunningInsecureContent: prefs.allowRunningInsecureContent, spellcheck: prefs.spellcheck, preload: prefs.preload },
    { contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, webSecurity: true, allowRunningInsecureContent: false, spellcheck: false, preload: '/x/preload.cjs' },
  );
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
});

test('the window loads the app\'s own page and denies every permission request and check', () => {
  const opened: string[] = [];
  hardenAllWebContents(app as never, (url) => opened.push(url));
  const window = createMainWindow(FakeBrowserWindow as unknown as WindowConstructor, '/x/preload.cjs') as unknown as FakeBrowserWindow;
  assert.equal(window.webContents.mainFrame.url, APP_PAGE_URL);
  assert.ok(isAppUrl(APP_PAGE_URL) && APP_PAGE_URL.startsWith('app://oidc-desk/'));
  const { requestHandler, checkHandler } = window.webContents.session;
  for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
    let granted: boolean | undefined;
    requestHandler?.(window.webContents, permission, (g) => (granted = g), {});
    assert.equal(granted, false, permission);
    assert.equal(checkHandler?.(window.webContents, permission, 'app://oidc-desk', {}), false, permission);
  }
});

test('navigation, window.open and webviews are refused; only a link to an allowed URL goes out (to the system browser)', () => {
  const linkedOut: string[] = [];
  const contents = new FakeWebContents();
  hardenAllWebContents(app as never, (url) => linkedOut.push(url));
  app.emit('web-contents-created', new FakeEvent(), contents);
  for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'app://oidc-desk/other.html']) {
    const navigation = new FakeEvent(url);
    contents.emit('will-navigate', navigation);
    assert.equal(navigation.defaultPrevented, true, url);
    assert.deepEqual(contents.windowOpenHandler?.({ url }), { action: 'deny' }, url);
  }
  const webview = new FakeEvent();
  contents.emit('will-attach-webview', webview, {}, {});
  assert.equal(webview.defaultPrevented, true);
  const redirect = new FakeEvent('https://evil.example/');
  contents.emit('will-redirect', redirect);
  assert.equal(redirect.defaultPrevented, true);
  // What leaves is handed to the system browser's opener, which opens only URLs of flows in progress (electron-system-browser.test.ts).
  assert.equal(linkedOut.length, 8);
});

test('bringing the window to the front restores a minimized one and focuses it', () => {
  const window = new FakeBrowserWindow({});
  window.minimize();
  bringToFront(window as never);
  assert.deepEqual({ minimized: window.minimized, visible: window.visible, focused: window.focused }, { minimized: false, visible: true, focused: true });
});

test('app: is a standard secure scheme without CSP bypass or service workers', () => {
  registerAppScheme(protocol as never);
  assert.deepEqual(called('protocol.registerSchemesAsPrivileged').at(-1), [[APP_SCHEME_PRIVILEGES]]);
  const p = APP_SCHEME_PRIVILEGES.privileges ?? {};
  assert.deepEqual({ standard: p.standard, secure: p.secure, bypassCSP: p.bypassCSP, allowServiceWorkers: p.allowServiceWorkers }, { standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false });
  assert.equal(isAppUrl('app://evil/index.html'), false);
  assert.equal(isAppUrl('https://oidc-desk/index.html'), false);
});

test('app: serves the built renderer with the strict CSP, without the browser-mode client script, and nothing outside it', async () => {
  const root = await mkdtemp(join(tmpdir(), 'oidc-desk-app-protocol-'));
  const dir = join(root, 'renderer');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/a.js"></script></head></html>');
  await writeFile(join(dir, 'assets', 'a.js'), 'export {};');
  await writeFile(join(root, 'secret.txt'), 'outside');
  await symlink(join(root, 'secret.txt'), join(dir, 'link.txt'));

  const index = await appResponse({ url: 'app://oidc-desk/', method: 'GET' }, dir);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(!(await index.text()).includes(CLIENT_SCRIPT_PATH), 'the preload gives window.oidcDesk: no browser-mode client script');
  const script = await appResponse({ url: 'app://oidc-desk/assets/a.js', method: 'GET' }, dir);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);

  for (const url of [
    'app://oidc-desk/../secret.txt', 'app://oidc-desk/%2e%2e/secret.txt', 'app://oidc-desk/assets/..%2f..%2fsecret.txt', 'app://oidc-desk/link.txt',
    'app://oidc-desk/assets/..%5c..%5csecret.txt', 'app://oidc-desk/%00', 'app://other-host/index.html', 'app://oidc-desk/missing.js',
  ]) {
    const r = await appResponse({ url, method: 'GET' }, dir);
    assert.equal(r.status, 404, url);
    assert.ok(!(await r.text()).includes('outside'), url);
  }
  assert.equal((await appResponse({ url: 'app://oidc-desk/index.html', method: 'POST' }, dir)).status, 405);
});

function roles(items: readonly MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [...(item.role === undefined ? [] : [item.role]), ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]);
}

test('the menu: Quit, the edit roles, About; reload and developer tools in development only; the App menu on macOS', () => {
  const about: string[] = [];
  const linux = menuTemplate({ platform: 'linux', development: false, showAbout: () => about.push('about') });
  assert.deepEqual(linux.map((m) => m.label ?? m.role), ['File', 'Edit', 'View', 'Window', 'help']);
  const r = roles(linux);
  for (const role of ['quit', 'undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']) assert.ok(r.includes(role), role);
  for (const role of ['reload', 'forceReload', 'toggleDevTools']) assert.ok(!r.includes(role), `${role} not in a packaged app`);
  const help = linux.at(-1)?.submenu as MenuItemConstructorOptions[];
  (help[0]?.click as () => void)();
  assert.deepEqual(about, ['about']);
  assert.ok(roles(menuTemplate({ platform: 'linux', development: true, showAbout: () => undefined })).includes('toggleDevTools'));
  const mac = menuTemplate({ platform: 'darwin', development: false, showAbout: () => undefined });
  assert.equal(mac[0]?.label, 'OIDC Desk');
  assert.ok(roles([mac[0]!]).includes('quit'));
});

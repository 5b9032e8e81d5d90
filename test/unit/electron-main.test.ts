/**
 * The desktop app's composition root (src-main/electron/main.ts) loaded in plain Node with 'electron' mapped to
 * the FAKE module (test/harness/fake-electron-loader.mjs; test/harness/fake-electron.ts is not Electron): a second
 * instance quits without registering anything; the first registers the scheme (development form, the deep link
 * after `--`), and after `ready` opens the desk on the data directory the environment names, creates one window
 * on the app's page with its IPC, delivers an `open-url` received before `ready`, and closes the desk on quit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { join } from 'node:path';
import { DESK_OPERATIONS } from '../../src-main/core/api/schemas.ts';
import { APP_PAGE_URL } from '../../src-main/electron/app-protocol.ts';
import { DATA_DIR_ENV } from '../../src-main/electron/config.ts';
import { FakeEvent, app, called, calls, ipcMain, protocol, windows } from '../harness/fake-electron.ts';

register('../harness/fake-electron-loader.mjs', import.meta.url);

const MAIN = new URL('../../src-main/electron/main.ts', import.meta.url).href;

async function until(what: () => boolean): Promise<void> {
  // Bounded by the test's timeout; no timing is asserted.
  while (!what()) await new Promise((r) => setTimeout(r, 10));
}

test('a second instance quits at once: no scheme registered, no window, no desk', async () => {
  calls.length = 0;
  app.lock = false;
  await import(`${MAIN}?instance=second`);
  assert.deepEqual(calls.map((c) => c.api), ['protocol.registerSchemesAsPrivileged', 'app.requestSingleInstanceLock', 'app.quit']);
  assert.equal(app.listenerCount('second-instance'), 0);
});

test('the first instance registers the scheme, then after ready opens the desk and one window; open-url before ready is delivered; quit closes', { timeout: 60_000 }, async () => {
  calls.length = 0;
  app.lock = true;
  process.env[DATA_DIR_ENV] = await mkdtemp(join(tmpdir(), 'oidc-desk-main-'));
  process.env['OIDC_DESK_KEYCHAIN_SERVICE'] = `OIDC Desk main test ${process.pid}`;
  await import(`${MAIN}?instance=first`);
  assert.deepEqual(called('app.setAsDefaultProtocolClient'), [['dev.oidcdesk', process.execPath, [resolve(app.getAppPath()), '--']]]);
  assert.equal(called('app.quit').length, 0);
  assert.equal(windows.length, 0, 'no window before ready');
  // macOS hands the link that started the app before ready.
  const early = new FakeEvent();
  app.emit('open-url', early, 'dev.oidcdesk:/callback?code=early&state=unknown-state');
  assert.equal(early.defaultPrevented, true);

  app.emitReady();
  await until(() => windows.length === 1 && (windows[0]?.focused ?? false));
  const [window] = windows;
  assert.ok(window !== undefined);
  assert.equal(window.webContents.mainFrame.url, APP_PAGE_URL);
  assert.equal(window.options['webPreferences'] !== undefined && (window.options['webPreferences'] as { sandbox?: boolean }).sandbox, true);
  assert.ok(protocol.handlers.has('app'), 'the app: protocol is served');
  assert.equal(called('Menu.setApplicationMenu').length, 1);
  assert.deepEqual([...ipcMain.handlers.keys()].sort(), DESK_OPERATIONS.map((op) => `desk:${op}`).sort());
  assert.equal(window.focused, true, 'the early callback was delivered once the desk opened, and brought the window up');

  // The desk answers through the window's IPC, and its HTTP goes through net.fetch.
  const own = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
  assert.deepEqual(await ipcMain.invoke('desk:listProfiles', own), { ok: true, value: [] });
  const check = (await ipcMain.invoke('desk:checkProvider', own, { issuer: 'http://127.0.0.1:9', clientId: 'x', allowHttpLoopback: true })) as { ok: boolean; error?: { code: string } };
  assert.equal(check.ok ? 'ok' : check.error?.code, 'HTTP_NETWORK', 'nothing listens there');
  assert.ok(called('net.fetch').some(([url, bypass]) => String(url).startsWith('http://127.0.0.1:9/') && bypass === true), 'provider requests go through net.fetch');

  app.emit('will-quit');
  assert.equal(ipcMain.handlers.size, 0, 'quitting removes the handlers and closes the desk');
});

test('a data directory others can write to stops the start with the core\'s message, in a dialog, and no window', { timeout: 60_000 }, async () => {
  calls.length = 0;
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-main-open-'));
  await chmod(dataDir, 0o777);
  process.env[DATA_DIR_ENV] = dataDir;
  const before = windows.length;
  // Electron is ready already (the test above): this instance starts at once.
  await import(`${MAIN}?instance=insecure`);
  await until(() => called('app.exit').length > 0);
  assert.deepEqual(called('app.exit'), [[1]]);
  const [box] = called('dialog.showErrorBox');
  assert.match(String(box?.[1]), /^DATA_DIR_INSECURE: /);
  assert.equal(windows.length, before);
});

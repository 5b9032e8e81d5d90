/**
 * The desktop app's main process: the composition root. One instance (a second one hands its command line
 * over and quits), the `dev.oidcdesk` scheme registered, the desk over the shared data directory with
 * Electron's `net.fetch` under it, the demo provider started on demand in a utility process, the hardened
 * window with its IPC, the deep links, the scheduler, and the desk (and the demo provider it started) closed
 * on quit. Each feature module registers its own handlers.
 * @module
 */
import { homedir, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, net, protocol, shell, utilityProcess } from 'electron';
import { openDesk, type Desk } from '../core/desk.ts';
import { isDeskError } from '../core/errors.ts';
import { APP_SCHEME } from '../core/profile.ts';
import { KeytarSecretStore } from '../core/store/keytar-secret-store.ts';
import { createDemoGuard } from '../demo-idp/guard.ts';
import { demoProviderPort } from '../demo-idp/port.ts';
import { isAppUrl, registerAppScheme, serveApp } from './app-protocol.ts';
import { appStorage } from './config.ts';
import { utilityDemoLauncher } from './demo-launcher.ts';
import { installDeepLinks, registeredSchemes, type DeepLinkInterceptor } from './deep-links.ts';
import { registerIpc } from './ipc.ts';
import { createSchemeRegistry, execFileRunner, xdgDataHome } from './scheme-registration.ts';
import { installMenu } from './menu.ts';
import { netFetch } from './net-fetch.ts';
import { SystemBrowser, browserHandoffHook, endFlowsOnEvents } from './system-browser.ts';
import { bringToFront, createMainWindow, hardenAllWebContents } from './window.ts';

/** The bundled preload, beside this file once built (dist/electron/). */
const PRELOAD = fileURLToPath(new URL('../../dist/electron/preload.cjs', import.meta.url));
/** The demo provider's bundled entry, beside this file once built (dist/electron/), run in a utility process. */
const DEMO_ENTRY = fileURLToPath(new URL('../../dist/electron/demo-idp.js', import.meta.url));

const development = !app.isPackaged;
const env = process.env;

/**
 * The OS registration of `dev.oidcdesk` and every profile's custom scheme, with its self-test. The app's
 * command: the packaged executable (or the AppImage that runs it), or in development Electron with this app.
 */
const schemes = createSchemeRegistry({
  platform: process.platform,
  app,
  // The self-test link goes straight to the OS: it is not a sign-in URL, so not the system browser's.
  openExternal: (url) => shell.openExternal(url),
  exec: execFileRunner(),
  dataHome: xdgDataHome(env, homedir()),
  command: app.isPackaged ? [env.APPIMAGE ?? process.execPath] : [process.execPath, resolve(app.getAppPath())],
});

/** Deep-link interceptors, asked before the desk's callback router: a scheme self-test link never reaches it. */
const interceptors: DeepLinkInterceptor[] = [(url) => schemes.intercept(url)];

/**
 * Registers the app's scheme with the OS before anything else, so that a deep link arrives after `--`
 * (Windows writes `"<exe>" "--" "%1"`; macOS takes its schemes from Info.plist and ignores the arguments).
 * Every profile's scheme follows once the desk is open.
 */
function registerScheme(): void {
  if (app.isPackaged) app.setAsDefaultProtocolClient(APP_SCHEME, process.execPath, ['--']);
  else app.setAsDefaultProtocolClient(APP_SCHEME, process.execPath, [resolve(app.getAppPath()), '--']);
}

/** One line on standard error for the user's terminal or log: a code, never the URL (it may carry a code or state). */
function report(what: string, error: { readonly code: string }): void {
  process.stderr.write(`OIDC Desk: ${what}: ${error.code}\n`);
}

async function start(deepLinks: ReturnType<typeof installDeepLinks>): Promise<void> {
  serveApp(protocol);
  const { dataDir, keychainService } = appStorage(env);
  const demoLauncher = utilityDemoLauncher(utilityProcess, DEMO_ENTRY);
  const guard = createDemoGuard({ dataDir, env, command: demoLauncher, transport: netFetch(net) });
  const desk: Desk = await openDesk({
    dataDir,
    secrets: new KeytarSecretStore({ service: keychainService }),
    fetch: guard.fetch,
    beforeSend: guard.beforeSend,
    demo: demoProviderPort(dataDir, env, demoLauncher),
    schemes,
    watch: true,
    version: app.getVersion(),
  });
  const browser = new SystemBrowser({ shell, tempDir: tmpdir() });
  const stopFlows = endFlowsOnEvents(desk.api, browser);
  hardenAllWebContents(app, (url) => void browser.open(url));
  installMenu(Menu, app, { platform: process.platform, development, license: 'MIT' });
  const window = createMainWindow(BrowserWindow, PRELOAD);
  const unregister = registerIpc({ ipcMain, window, api: desk.api, isAppUrl, hook: browserHandoffHook(desk.api, browser) });
  desk.startScheduler();
  app.on('window-all-closed', () => app.quit());
  app.once('will-quit', () => {
    unregister();
    stopFlows();
    browser.endAll();
    desk.close();
    demoLauncher.stopAll();
  });
  void desk.registerSchemes().then((registered) => {
    if (!registered.ok) report('the redirect schemes could not all be registered with the operating system', registered.error);
  });
  await deepLinks.open({
    deliver: async (url) => {
      const delivered = await desk.deliverCallback(url);
      if (!delivered.ok) report('a sign-in callback was refused', delivered.error);
      return delivered;
    },
    schemes: async () => {
      const profiles = await desk.api.listProfiles();
      return registeredSchemes(profiles.ok ? profiles.value : []);
    },
    focus: () => bringToFront(window),
  });
}

registerAppScheme(protocol);
if (!app.requestSingleInstanceLock()) {
  // The first instance gets this command line through `second-instance`.
  app.quit();
} else {
  const deepLinks = installDeepLinks(app, process.argv, interceptors);
  registerScheme();
  app.whenReady().then(() => start(deepLinks)).catch((error: unknown) => {
    // A DeskError's message says what to fix (a data directory others can write to, ...) and carries no secret; anything else is named only.
    const text = isDeskError(error) ? `${error.code}: ${error.message}` : `Unexpected failure (${error instanceof Error ? error.name : 'error'}).`;
    process.stderr.write(`OIDC Desk could not start: ${text}\n`);
    dialog.showErrorBox('OIDC Desk could not start', text);
    app.exit(1);
  });
}

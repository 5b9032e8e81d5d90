/**
 * The desktop window, hardened as the Electron security checklist asks: isolated and sandboxed renderer,
 * no Node, no webview, no permissions, no navigation and no new windows; the page from the app's own
 * protocol only. A link to a URL of a flow in progress opens in the system browser, never in a window.
 * @module
 */
import type { App, BrowserWindow, BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { APP_PAGE_URL } from './app-protocol.ts';

/** The window's options: the hardened `webPreferences` and the preload that gives the page `window.oidcDesk`. */
export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: 'OIDC Desk',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  };
}

/** Denies every permission request and check of a session (camera, notifications, clipboard read, ...). */
export function denyPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Where a link the window tried to follow goes: the system browser, for a URL of a flow in progress only. */
export type LinkOut = (url: string) => void;

/**
 * Every web contents the app makes (the window, and anything else): no webview attached, no window opened,
 * no navigation. A `window.open` or a link away is handed to `linkOut`, which opens only allowed URLs.
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 */
export function hardenWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, linkOut: LinkOut): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    linkOut(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    linkOut(event.url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
}

/** Applies {@link hardenWebContents} to every web contents the app creates, from now on. */
export function hardenAllWebContents(app: Pick<App, 'on'>, linkOut: LinkOut): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, linkOut));
}

/** The constructor of a window (Electron's `BrowserWindow`, or a test's stand-in). */
export type WindowConstructor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

/** Creates the window on the app's own page; it shows once painted. */
export function createMainWindow(BrowserWindowClass: WindowConstructor, preload: string): BrowserWindow {
  const window = new BrowserWindowClass(windowOptions(preload));
  denyPermissions(window.webContents.session);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_PAGE_URL);
  return window;
}

/** Brings the window to the front: restored when minimized, shown, focused. */
export function bringToFront(window: Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

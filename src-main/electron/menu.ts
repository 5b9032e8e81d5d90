/** The application menu (standard roles; reload and developer tools in development only) and the About panel. */
import type { App, Menu, MenuItemConstructorOptions } from 'electron';

/** What the menu depends on. */
export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  /** Development (not packaged): View has reload and the developer tools. */
  readonly development: boolean;
  /** Shows the About panel. */
  readonly showAbout: () => void;
}

/** The menu: App (macOS), File with Quit, Edit, View, Window, Help with About. */
export function menuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: 'About OIDC Desk', click: () => options.showAbout() };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: 'OIDC Desk',
      submenu: [about, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  }
  template.push(
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    {
      label: 'View',
      submenu: [
        ...(options.development ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] satisfies MenuItemConstructorOptions[] : []),
        { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' },
      ],
    },
    { label: 'Window', submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }] },
    { role: 'help', submenu: [about] },
  );
  return template;
}

/** Sets the About panel's text and the application menu. */
export function installMenu(menu: Pick<typeof Menu, 'buildFromTemplate' | 'setApplicationMenu'>, app: Pick<App, 'setAboutPanelOptions' | 'showAboutPanel' | 'getVersion'>, options: Omit<MenuOptions, 'showAbout'> & { readonly license: string }): void {
  app.setAboutPanelOptions({
    applicationName: 'OIDC Desk',
    applicationVersion: app.getVersion(),
    copyright: `License: ${options.license}`,
    credits: 'OAuth 2.0 / OpenID Connect native-client flows through the system browser (RFC 8252).',
  });
  menu.setApplicationMenu(menu.buildFromTemplate(menuTemplate({ ...options, showAbout: () => app.showAboutPanel() })));
}

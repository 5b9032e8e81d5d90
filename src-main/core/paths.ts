/**
 * Where OIDC Desk keeps its files: the same data directory for the desktop app and the CLI
 * (Electron's `userData` for the product name "OIDC Desk").
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The product name: the folder name of the data directory and the keychain service. */
export const PRODUCT_NAME = 'OIDC Desk';

/** Environment variable that names another keychain service (isolation for tests and scripts). */
export const KEYCHAIN_SERVICE_ENV = 'OIDC_DESK_KEYCHAIN_SERVICE';

/**
 * The default data directory: `%APPDATA%\OIDC Desk` on Windows, `~/Library/Application Support/OIDC Desk`
 * on macOS, `$XDG_CONFIG_HOME/OIDC Desk` (default `~/.config/OIDC Desk`) elsewhere, as Electron's
 * `app.getPath('userData')` gives it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(config, PRODUCT_NAME);
}

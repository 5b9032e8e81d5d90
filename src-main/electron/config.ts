/** Where the desktop app keeps its sessions: the CLI's data directory and keychain service, unless the environment names others (tests). */
import { resolve } from 'node:path';
import { KEYCHAIN_SERVICE_ENV, defaultDataDir } from '../core/paths.ts';
import { DEFAULT_SERVICE } from '../core/store/keytar-secret-store.ts';

/** Environment variable naming another data directory (isolation for tests and scripts). */
export const DATA_DIR_ENV = 'OIDC_DESK_DATA_DIR';

/** The app's data directory and keychain service: the same defaults as the CLI, so both share sessions. */
export function appStorage(env: NodeJS.ProcessEnv = process.env): { readonly dataDir: string; readonly keychainService: string } {
  const dir = env[DATA_DIR_ENV];
  const service = env[KEYCHAIN_SERVICE_ENV];
  return {
    dataDir: dir !== undefined && dir.length > 0 ? resolve(dir) : defaultDataDir(env),
    keychainService: service !== undefined && service.length > 0 ? service : DEFAULT_SERVICE,
  };
}

/** The CLI's composition root: the concrete adapters (OS keychain through keytar, the core HTTP client, the clock) and the session service over the data directory, whose start-up problems it reports on stderr. */
import { DeskError } from '../core/errors.ts';
import { createHttpClient } from '../core/http/client.ts';
import { KEYCHAIN_SERVICE_ENV, defaultDataDir } from '../core/paths.ts';
import { SessionService } from '../core/session/session-service.ts';
import { DEFAULT_SERVICE, KeytarSecretStore } from '../core/store/keytar-secret-store.ts';
import type { KeychainView } from '../core/contract.ts';
import { safeText, type Output } from './output.ts';

/** Everything a command needs. */
export interface CliContext {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Output;
  readonly now: () => number;
  /** The keychain store (created on first use; keytar itself loads lazily). */
  secrets(): KeytarSecretStore;
  /** The session service over the data directory (opened once: the directory is checked, a start-up problem printed as a warning). */
  service(): Promise<SessionService>;
  /** True when a keychain call timed out and still holds a thread: the process must end by force. */
  readonly keychainStuck: boolean;
}

/** The keychain service name: `$OIDC_DESK_KEYCHAIN_SERVICE`, else "OIDC Desk" (shared with the desktop app). */
export function keychainService(env: NodeJS.ProcessEnv): string {
  const value = env[KEYCHAIN_SERVICE_ENV];
  return value !== undefined && value.length > 0 ? value : DEFAULT_SERVICE;
}

/** Builds the context; nothing is opened until a command asks for it. */
export function createContext(options: {
  readonly dataDir: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Output;
  /** How long a sign-in may wait for the browser (`login --timeout`); default the core's 10 min. */
  readonly flowTtlMs?: number | undefined;
}): CliContext {
  const dataDir = options.dataDir ?? defaultDataDir(options.env);
  let secrets: KeytarSecretStore | undefined;
  let service: Promise<SessionService> | undefined;
  const getSecrets = (): KeytarSecretStore => {
    secrets ??= new KeytarSecretStore({ service: keychainService(options.env) });
    return secrets;
  };
  return {
    dataDir,
    env: options.env,
    out: options.out,
    now: Date.now,
    secrets: getSecrets,
    service: () => {
      service ??= SessionService.open({
        dataDir,
        secrets: getSecrets(),
        fetch: createHttpClient(),
        now: Date.now,
        ...(options.flowTtlMs === undefined ? {} : { flowTtlMs: options.flowTtlMs }),
      }).then((opened) => {
        // Every command says it again until the user deals with it (a corrupt index kept aside).
        if (opened.startupProblem !== undefined) options.out.warn(safeText(opened.startupProblem.message));
        return opened;
      });
      return service;
    },
    get keychainStuck() {
      return secrets?.stuck === true;
    },
  };
}

/**
 * Fails KEYCHAIN_UNAVAILABLE / KEYCHAIN_LOCKED unless the OS keychain can take a refresh token: the CLI
 * keeps nothing of a session beyond the command except the keychain entry, so it never signs in without one.
 */
export function assertKeychainUsable(keychain: KeychainView, service: string): void {
  if (keychain.state === 'available' && !keychain.sessionOnly) return;
  const why = keychain.message === undefined ? '' : ` (${keychain.message.slice(0, 300)})`;
  const code = keychain.state === 'locked' ? 'KEYCHAIN_LOCKED' : 'KEYCHAIN_UNAVAILABLE';
  const what = keychain.state === 'locked' ? 'The OS keychain is locked' : 'The OS keychain is not available';
  throw new DeskError(code, `${what}${why}. The oidc-desk CLI keeps each session's refresh token in the OS keychain (service "${service}") and nothing else outlives a command, so it does not sign in without one. ${keychain.state === 'locked' ? 'Unlock the keychain' : 'Start a keychain (on Linux: a Secret Service such as gnome-keyring, in a D-Bus session)'} and try again; the desktop app can still sign in for its own lifetime (session-only mode).`);
}

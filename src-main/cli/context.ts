/** The CLI's composition root: the concrete adapters (the OS keychain through keytar, the global fetch behind the demo provider's guard, the clock) handed to `openDesk()`, whose start-up problems it reports on stderr, and the one way commands call the API. */
import type { DeskApi, KeychainView, Result } from '../core/contract.ts';
import { DeskError, fromErrorView } from '../core/errors.ts';
import { openDesk, type Desk } from '../core/desk.ts';
import { KEYCHAIN_SERVICE_ENV, defaultDataDir } from '../core/paths.ts';
import { DEFAULT_SERVICE, KeytarSecretStore } from '../core/store/keytar-secret-store.ts';
import type { DemoGuard } from '../demo-idp/guard.ts';
import { cliDemoGuard, demoProviderPort } from './demo.ts';
import { safeText, type Output } from './output.ts';

/** Everything a command needs. */
export interface CliContext {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly out: Output;
  readonly now: () => number;
  /** The desk over the data directory (opened once: the directory is checked, start-up problems printed as warnings). */
  desk(): Promise<Desk>;
  /** The API of the desk. */
  api(): Promise<DeskApi>;
  /** The value of a Result, or its error thrown as a DeskError (the exit status follows from its code). */
  call<T>(result: Promise<Result<T>>): Promise<T>;
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
  /** Follow what other processes change in the data directory (a long-running command: browser mode). */
  readonly watch?: boolean;
  /**
   * The command reads a session's keychain entry (token, refresh, userinfo, logout): the keychain's
   * connection is opened now, while the desk opens the data directory, rather than after it.
   */
  readonly readsKeychain?: boolean;
}): CliContext {
  const dataDir = options.dataDir ?? defaultDataDir(options.env);
  const keychain = (): KeytarSecretStore => new KeytarSecretStore({ service: keychainService(options.env) });
  let secrets: KeytarSecretStore | undefined;
  if (options.readsKeychain === true) {
    secrets = keychain();
    secrets.warmUp();
  }
  let desk: Promise<Desk> | undefined;
  // Built with the first request (a token answered from the cache makes none): see cliDemoGuard. Its
  // module is imported statically: it is in the command modules' chunk anyway (login, quickstart), and a
  // dynamic import of it made esbuild split that chunk into more files for every command to load.
  let guard: DemoGuard | undefined;
  const demoGuard = (): DemoGuard => (guard ??= cliDemoGuard({ dataDir, env: options.env, out: options.out }));
  const open = (): Promise<Desk> => {
    secrets ??= keychain();
    desk ??= openDesk({
      dataDir,
      secrets,
      watch: options.watch === true,
      // Tokens of a demo session go only to this data directory's own demo provider, which proves it first.
      fetch: async (input, init) => demoGuard().fetch(input, init),
      beforeSend: async (target) => demoGuard().beforeSend(target),
      // The demo provider's state file is read only when asked for.
      demo: {
        state: async () => demoProviderPort(dataDir, options.env).state(),
        ensure: async () => demoProviderPort(dataDir, options.env).ensure(),
      },
    }).then(async (opened) => {
      // Every command says it again until the user deals with it (a corrupt index kept aside).
      const problems = await opened.api.startupProblems();
      if (problems.ok) for (const problem of problems.value) options.out.warn(safeText(problem.message));
      return opened;
    });
    return desk;
  };
  return {
    dataDir,
    env: options.env,
    out: options.out,
    now: Date.now,
    desk: open,
    api: async () => (await open()).api,
    call: async (result) => {
      const r = await result;
      if (r.ok) return r.value;
      throw fromErrorView(r.error);
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

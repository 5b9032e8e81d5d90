/**
 * `openDesk()`: the one composition of the core that every front uses (the CLI, the desktop app's main
 * process, browser mode, tests and benches). The front chooses the concrete adapters (the keychain, the
 * transport, the clock); the core builds the rest over its data directory.
 * @module
 */
import { DeskApiService, errorView, type DemoProviderPort } from './api/desk-api.ts';
import { registerProfileSchemes, requireSchemeHost } from './api/scheme-ops.ts';
import type { DeskApi, Result, SchemeHost } from './contract.ts';
import { createHttpClient, type FetchLike } from './http/client.ts';
import { ExchangeLog } from './http/exchange-log.ts';
import { SessionService } from './session/session-service.ts';
import type { SecretStore } from './store/secret-store.ts';

/** What a front hands to {@link openDesk}. */
export interface DeskDeps {
  /** The data directory shared by the desktop app and the CLI. */
  readonly dataDir: string;
  /** Where refresh tokens go: the OS keychain (keytar) or, for session-only mode and tests, memory. */
  readonly secrets: SecretStore;
  /**
   * The transport under the core's HTTP client (default: the global fetch; the desktop app passes Electron's
   * `net.fetch` so the system proxy and certificate store apply). Timeouts, size caps, the no-redirect rule
   * and the masked exchange log are added by the core around it.
   */
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  /** Randomness for backoff jitter, [0, 1). */
  readonly random?: () => number;
  /** How long a sign-in waits for the browser (default 10 min). */
  readonly flowTtlMs?: number;
  /** Per-request timeout of the HTTP client (default 30 s). */
  readonly httpTimeoutMs?: number;
  /** The demo provider's state, when the front runs one. */
  readonly demo?: DemoProviderPort;
  /** Called before any request carrying a token, with where it goes; throws to send nothing (see SessionServiceDeps). */
  readonly beforeSend?: (target: { readonly issuer: string; readonly clientId: string }) => Promise<void>;
  /** Announce what other processes change in the data directory (long-running fronts: the desktop app, browser mode). */
  readonly watch?: boolean;
  /** OIDC Desk's version, named in exports (HAR). */
  readonly version?: string;
  /** URI scheme registration with the OS: only the desktop app has it (the CLI and browser mode answer `SCHEME_HOST_UNAVAILABLE`). */
  readonly schemes?: SchemeHost;
}

/** An open desk: the API for every front, and the operations only a host performs. */
export interface Desk {
  readonly api: DeskApi;
  readonly dataDir: string;
  /** Every back-channel exchange of this process, masked (the timeline). */
  readonly exchanges: ExchangeLog;
  /**
   * Hands a callback URL to the sign-in waiting for it: from a deep link (Electron `open-url`,
   * `second-instance` argv, cold-start argv). The loopback listener delivers its own. Not a renderer operation.
   */
  deliverCallback(url: unknown): Promise<Result<null>>;
  /**
   * Registers the app's own scheme and every profile's scheme with the OS (the desktop app, once at start;
   * added and changed profiles register theirs as they are saved). Answers the schemes registered.
   */
  registerSchemes(): Promise<Result<readonly string[]>>;
  /** Starts automatic refresh shortly before expiry and the retry of owed revocations (long-running fronts). */
  startScheduler(): void;
  /** Stops timers; waiting sign-ins are abandoned. */
  close(): void;
}

/** Opens the core over a data directory: reads the index only (no keychain access, no network). */
export async function openDesk(deps: DeskDeps): Promise<Desk> {
  const now = deps.now ?? Date.now;
  const exchanges = new ExchangeLog();
  const fetch = createHttpClient({
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    ...(deps.httpTimeoutMs === undefined ? {} : { timeoutMs: deps.httpTimeoutMs }),
    log: exchanges,
    now,
  });
  const service = await SessionService.open({
    dataDir: deps.dataDir,
    secrets: deps.secrets,
    fetch,
    now,
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(deps.flowTtlMs === undefined ? {} : { flowTtlMs: deps.flowTtlMs }),
    ...(deps.beforeSend === undefined ? {} : { beforeSend: deps.beforeSend }),
    exchanges,
  });
  const api = new DeskApiService(service, { demo: deps.demo, exchanges, version: deps.version ?? 'unknown', schemes: deps.schemes });
  const unwatch = deps.watch === true ? service.watchIndex() : () => undefined;
  return {
    api,
    dataDir: deps.dataDir,
    exchanges,
    deliverCallback: async (url) => {
      try {
        await service.engine.router.handle(url);
        return { ok: true, value: null };
      } catch (error) {
        return { ok: false, error: errorView(error) };
      }
    },
    registerSchemes: async () => {
      try {
        return { ok: true, value: await registerProfileSchemes(requireSchemeHost(deps.schemes), await service.profiles.list()) };
      } catch (error) {
        return { ok: false, error: errorView(error) };
      }
    },
    startScheduler: () => service.startScheduler(),
    close: () => {
      unwatch();
      service.close();
    },
  };
}

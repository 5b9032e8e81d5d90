/** The OS keychain secret store over keytar (Secret Service, macOS Keychain, Windows Credential Manager); the only importer of keytar. */
import { DeskError, isDeskError } from '../errors.ts';
import type { SecretRead, SecretStore, SecretStoreStatus, StoredSecret } from './secret-store.ts';
import { assertSessionId, corruptEntryError, newerEntryError, parseSecret, serializeSecret } from './secret-store.ts';
import { isClientAccount, parseClientCredential, serializeClientCredential, type ClientCredentialRead, type StoredClientCredential } from './client-credential.ts';

/** The keytar functions this store uses; results are from outside and stay `unknown` until narrowed. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<unknown>;
  setPassword(service: string, account: string, password: string): Promise<unknown>;
  deletePassword(service: string, account: string): Promise<unknown>;
}

/** Options of {@link KeytarSecretStore}. */
export interface KeytarSecretStoreOptions {
  /** Keychain service name; tests and the CLI pass their own to stay apart. Default {@link DEFAULT_SERVICE}. */
  service?: string;
  /** Per-call timeout in milliseconds, after which the call fails `KEYCHAIN_TIMEOUT`. Default 5000. */
  timeoutMs?: number;
  /** Loads the keytar module; default a dynamic `import('keytar')`. Tests inject a fake. */
  load?: () => Promise<unknown>;
}

/** The keychain service name of OIDC Desk entries. */
export const DEFAULT_SERVICE = 'OIDC Desk';
/** Default per-call timeout in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Account of the throwaway entry written and deleted by `status()`; session ids cannot start with `.`. */
export const PROBE_ACCOUNT = '.oidc-desk-probe';

type KeychainCode = 'KEYCHAIN_LOCKED' | 'KEYCHAIN_UNAVAILABLE' | 'KEYCHAIN_FAILED';

const OS_TEXTS: ReadonlyArray<readonly [RegExp, KeychainCode]> = [
  // libsecret: "Cannot create an item in a locked collection"; macOS: errSecInteractionNotAllowed.
  [/locked collection|User interaction is not allowed/i, 'KEYCHAIN_LOCKED'],
  // No session bus / no Secret Service provider / no default collection / the daemon went away.
  [
    /Cannot autolaunch D-Bus|not provided by any \.service files|Could not connect|Address element|Object does not exist at path|session wrapping the secret does not exist/i,
    'KEYCHAIN_UNAVAILABLE',
  ],
];

/** Maps an OS failure text from keytar to a keychain error code. */
export function classifyKeychainError(osText: string): KeychainCode {
  for (const [pattern, code] of OS_TEXTS) if (pattern.test(osText)) return code;
  return 'KEYCHAIN_FAILED';
}

const WHAT: Record<KeychainCode, string> = {
  KEYCHAIN_LOCKED: 'The OS keychain is locked; unlock it and try again',
  KEYCHAIN_UNAVAILABLE: 'The OS keychain is not available',
  KEYCHAIN_FAILED: 'The OS keychain call failed',
};

function textOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'unknown error';
}

/** Removes every occurrence of the given secrets from an OS text (defence in depth: OS texts should not echo them). */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[secret]');
  return out;
}

function isKeytar(value: unknown): value is KeytarLike {
  if (typeof value !== 'object' && typeof value !== 'function') return false;
  if (value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['getPassword'] === 'function' && typeof v['setPassword'] === 'function' && typeof v['deletePassword'] === 'function';
}

function narrowKeytar(mod: unknown): KeytarLike {
  if (isKeytar(mod)) return mod;
  const fallback = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>)['default'] : undefined;
  if (isKeytar(fallback)) return fallback;
  throw new Error('the keytar module does not export getPassword/setPassword/deletePassword');
}

/** The probe's finding: the status to show and, when not available, the error that explains it. */
interface Probe {
  readonly status: SecretStoreStatus;
  readonly error?: DeskError;
}

/**
 * {@link SecretStore} in the OS keychain through keytar: service = {@link DEFAULT_SERVICE} (or the option),
 * account = session id, value = the entry as JSON. keytar is loaded lazily, so a missing or broken native module
 * makes the store `unavailable` instead of crashing. Every call has a timeout; calls of one store run one at a
 * time, so a write is never overtaken by a read. keytar runs on the libuv thread pool and a hung call keeps its
 * thread, so while a timed-out call is still pending, further calls fail `KEYCHAIN_TIMEOUT` without starting.
 *
 * On Linux a locked keyring answers a read with "not found"; this store then probes the keychain and reports
 * `unknown` rather than `absent`. Likewise a delete that found nothing is checked before it is believed.
 */
export class KeytarSecretStore implements SecretStore {
  readonly persistent = true;
  readonly service: string;
  readonly timeoutMs: number;
  readonly #load: () => Promise<unknown>;
  #backend: Promise<KeytarLike> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** keytar calls started and not settled: more than zero between calls means one timed out and is stuck. */
  #inFlight = 0;
  /** Calls among those whose timeout fired before they settled. */
  #timedOut = 0;

  constructor(options: KeytarSecretStoreOptions = {}) {
    this.service = options.service ?? DEFAULT_SERVICE;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (this.service.length === 0) throw new DeskError('USAGE', 'The keychain service name must not be empty.');
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new DeskError('USAGE', 'The keychain timeout must be a positive number of milliseconds.');
    }
    this.#load = options.load ?? (() => import('keytar'));
  }

  /**
   * True while a timed-out keytar call has not returned. Its pool thread cannot be cancelled, and Node's
   * `process.exit()` waits for it (libuv joins its pool threads), so a front that must exit then has to
   * end the process another way.
   */
  get stuck(): boolean {
    // Only a call past its timeout: one still within it (a front quitting while a call runs) settles soon.
    return this.#timedOut > 0;
  }

  status(): Promise<SecretStoreStatus> {
    return this.#serial(async () => (await this.#probe()).status);
  }

  async get(sessionId: string): Promise<SecretRead> {
    assertSessionId(sessionId);
    return await this.#serial(async () => {
      const raw = await this.#call('read', (k) => k.getPassword(this.service, sessionId));
      if (raw === null || raw === undefined) {
        // A locked Secret Service collection answers "not found": believe it only if the keychain is usable.
        const probe = await this.#probe();
        return probe.error === undefined ? { kind: 'absent' } : { kind: 'unknown', reason: probe.error };
      }
      const parsed = typeof raw === 'string' ? parseSecret(raw) : ({ kind: 'corrupt' } as const);
      if (parsed.kind === 'ok') return { kind: 'found', secret: parsed.secret };
      if (parsed.kind === 'newer') return { kind: 'unknown', reason: newerEntryError(parsed.version) };
      try {
        await this.#call('delete', (k) => k.deletePassword(this.service, sessionId));
      } catch (err) {
        throw corruptEntryError(false, err);
      }
      throw corruptEntryError(true);
    });
  }

  async set(sessionId: string, secret: StoredSecret): Promise<void> {
    assertSessionId(sessionId);
    return await this.#serial(async () => {
      const json = serializeSecret(secret); // size cap and shape: before any write
      await this.#call('write', (k) => k.setPassword(this.service, sessionId, json), [json, secret.refreshToken]);
    });
  }

  async delete(sessionId: string): Promise<boolean> {
    assertSessionId(sessionId);
    return await this.#serial(async () => {
      const removed = await this.#call('delete', (k) => k.deletePassword(this.service, sessionId));
      if (removed === true) return true;
      // A locked collection hides its items, so "nothing deleted" may mean "could not delete".
      const probe = await this.#probe();
      if (probe.error !== undefined) throw probe.error;
      return false;
    });
  }

  async getClient(account: string): Promise<ClientCredentialRead> {
    assertClientAccount(account);
    return await this.#serial(async () => {
      const raw = await this.#call('read', (k) => k.getPassword(this.service, account));
      if (raw === null || raw === undefined) {
        const probe = await this.#probe();
        return probe.error === undefined ? { kind: 'absent' } : { kind: 'unknown', reason: probe.error };
      }
      const credential = typeof raw === 'string' ? parseClientCredential(raw) : null;
      if (credential !== null) return { kind: 'found', credential };
      try {
        await this.#call('delete', (k) => k.deletePassword(this.service, account));
      } catch (err) {
        throw corruptEntryError(false, err);
      }
      throw corruptEntryError(true);
    });
  }

  async setClient(account: string, credential: StoredClientCredential): Promise<void> {
    assertClientAccount(account);
    return await this.#serial(async () => {
      const json = serializeClientCredential(credential);
      const secrets = [json, credential.secret ?? '', credential.privateJwk?.['d'] ?? ''];
      await this.#call('write', (k) => k.setPassword(this.service, account, json), secrets);
    });
  }

  async deleteClient(account: string): Promise<boolean> {
    assertClientAccount(account);
    return await this.#serial(async () => {
      const removed = await this.#call('delete', (k) => k.deletePassword(this.service, account));
      if (removed === true) return true;
      const probe = await this.#probe();
      if (probe.error !== undefined) throw probe.error;
      return false;
    });
  }

  /**
   * Loads keytar and opens the keychain's connection (on Linux the D-Bus session with the Secret Service,
   * several milliseconds) by looking up the probe entry, which holds nothing, so that the next call does not
   * wait for it: for a front about to read an entry, started while it does other work. Runs in this store's
   * queue with the timeout like every call; its outcome is dropped (the calls after it report any failure).
   */
  warmUp(): void {
    this.#serial(() => this.#call('warm-up', (k) => k.getPassword(this.service, PROBE_ACCOUNT))).catch(() => undefined);
  }

  /** Writes and deletes a throwaway entry: the only reliable way to tell locked from available on Linux. */
  async #probe(): Promise<Probe> {
    try {
      await this.#call('probe write', (k) => k.setPassword(this.service, PROBE_ACCOUNT, 'probe'));
    } catch (err) {
      const error = isDeskError(err) ? err : new DeskError('KEYCHAIN_FAILED', 'The OS keychain probe failed.', { cause: err });
      const message = error.cause === undefined ? error.message : textOf(error.cause);
      const state = error.code === 'KEYCHAIN_LOCKED' ? 'locked' : 'unavailable';
      return { status: { state, message }, error };
    }
    try {
      await this.#call('probe delete', (k) => k.deletePassword(this.service, PROBE_ACCOUNT));
    } catch {
      // The write worked, so the keychain is usable; a leftover probe entry is harmless and overwritten next time.
    }
    return { status: { state: 'available' } };
  }

  /** Runs `fn` after every earlier call of this store has settled. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #keytar(): Promise<KeytarLike> {
    this.#backend ??= this.#load().then(narrowKeytar);
    return this.#backend.catch((err: unknown) => {
      throw new DeskError('KEYCHAIN_UNAVAILABLE', `The OS keychain module could not be loaded (${textOf(err)}).`, {
        cause: err,
      });
    });
  }

  /** One keytar call with the timeout; failures become DeskErrors whose messages never hold `secrets`. */
  async #call<T>(what: string, fn: (k: KeytarLike) => Promise<T>, secrets: readonly string[] = []): Promise<T> {
    const keytar = await this.#keytar();
    if (this.#inFlight > 0) {
      // A timed-out call still holds a libuv pool thread; another one would starve fs/crypto/dns of the process.
      throw new DeskError('KEYCHAIN_TIMEOUT', `The OS keychain has not answered an earlier call yet (${what} not attempted).`);
    }
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let late = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (!settled) {
          late = true;
          this.#timedOut += 1;
        }
        reject(new DeskError('KEYCHAIN_TIMEOUT', `The OS keychain did not answer within ${this.timeoutMs} ms (${what}).`));
      }, this.timeoutMs);
    });
    this.#inFlight += 1;
    const native = Promise.resolve().then(() => fn(keytar));
    const done = (): void => {
      settled = true;
      this.#inFlight -= 1;
      if (late) this.#timedOut -= 1;
    };
    void native.then(done, done);
    try {
      return await Promise.race([native, timeout]);
    } catch (err) {
      if (isDeskError(err)) throw err;
      const osText = scrub(textOf(err), secrets);
      const code = classifyKeychainError(osText);
      const cause = err instanceof Error && secrets.some((s) => s.length > 0 && err.message.includes(s)) ? new Error(osText) : err;
      throw new DeskError(code, `${WHAT[code]} (${what}: ${osText}).`, { cause });
    } finally {
      clearTimeout(timer);
    }
  }
}

function assertClientAccount(account: string): void {
  if (!isClientAccount(account)) throw new DeskError('USAGE', 'Invalid client account for the keychain.');
}

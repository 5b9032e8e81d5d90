/** The in-memory secret store: session-only mode, and a stand-in keychain for tests (state can be simulated). */
import { DeskError } from '../errors.ts';
import type { SecretRead, SecretStore, SecretStoreStatus, StoredSecret } from './secret-store.ts';
import { assertSessionId, corruptEntryError, newerEntryError, parseSecret, serializeSecret } from './secret-store.ts';
import { isClientAccount, parseClientCredential, serializeClientCredential, type ClientCredentialRead, type StoredClientCredential } from './client-credential.ts';

/**
 * A {@link SecretStore} kept in process memory, with the same semantics as the OS keychain store: entries are
 * stored serialized (size cap, corrupt-entry handling), and a simulated `locked` state hides entries
 * (reads are `unknown`, writes and deletes fail `KEYCHAIN_LOCKED`) while `unavailable` fails every call.
 */
export class MemorySecretStore implements SecretStore {
  readonly persistent = false;
  readonly #entries = new Map<string, string>();
  #status: SecretStoreStatus;

  constructor(options: { status?: SecretStoreStatus } = {}) {
    this.#status = options.status ?? { state: 'available' };
  }

  /** Simulates a keychain state (tests, demos). Entries are kept and reappear when set back to available. */
  setStatus(status: SecretStoreStatus): void {
    this.#status = status;
  }

  /** Writes a raw string as an entry, bypassing serialization: for corrupt-entry tests only. */
  putRaw(sessionId: string, raw: string): void {
    assertSessionId(sessionId);
    this.#entries.set(sessionId, raw);
  }

  /** Number of stored entries (tests). */
  get size(): number {
    return this.#entries.size;
  }

  async status(): Promise<SecretStoreStatus> {
    return this.#status;
  }

  async get(sessionId: string): Promise<SecretRead> {
    assertSessionId(sessionId);
    if (this.#status.state === 'unavailable') throw this.#failure();
    if (this.#status.state === 'locked') return { kind: 'unknown', reason: this.#failure() };
    const raw = this.#entries.get(sessionId);
    if (raw === undefined) return { kind: 'absent' };
    const parsed = parseSecret(raw);
    if (parsed.kind === 'ok') return { kind: 'found', secret: parsed.secret };
    if (parsed.kind === 'newer') return { kind: 'unknown', reason: newerEntryError(parsed.version) };
    this.#entries.delete(sessionId);
    throw corruptEntryError(true);
  }

  async set(sessionId: string, secret: StoredSecret): Promise<void> {
    assertSessionId(sessionId);
    const json = serializeSecret(secret);
    if (this.#status.state !== 'available') throw this.#failure();
    this.#entries.set(sessionId, json);
  }

  async delete(sessionId: string): Promise<boolean> {
    assertSessionId(sessionId);
    if (this.#status.state !== 'available') throw this.#failure();
    return this.#entries.delete(sessionId);
  }

  async getClient(account: string): Promise<ClientCredentialRead> {
    assertClientAccount(account);
    if (this.#status.state === 'unavailable') throw this.#failure();
    if (this.#status.state === 'locked') return { kind: 'unknown', reason: this.#failure() };
    const raw = this.#entries.get(account);
    if (raw === undefined) return { kind: 'absent' };
    const credential = parseClientCredential(raw);
    if (credential !== null) return { kind: 'found', credential };
    this.#entries.delete(account);
    throw corruptEntryError(true);
  }

  async setClient(account: string, credential: StoredClientCredential): Promise<void> {
    assertClientAccount(account);
    const json = serializeClientCredential(credential);
    if (this.#status.state !== 'available') throw this.#failure();
    this.#entries.set(account, json);
  }

  async deleteClient(account: string): Promise<boolean> {
    assertClientAccount(account);
    if (this.#status.state !== 'available') throw this.#failure();
    return this.#entries.delete(account);
  }

  #failure(): DeskError {
    const os = this.#status.message === undefined ? '' : ` (${this.#status.message})`;
    return this.#status.state === 'locked'
      ? new DeskError('KEYCHAIN_LOCKED', `The keychain is locked; unlock it and try again${os}.`)
      : new DeskError('KEYCHAIN_UNAVAILABLE', `The OS keychain is not available${os}.`);
  }
}

function assertClientAccount(account: string): void {
  if (!isClientAccount(account)) throw new DeskError('USAGE', 'Invalid client account for the keychain.');
}

/**
 * Secret stores for the benches: the in-memory store standing in for a keychain that persists (so the core
 * takes its keychain path: the token cache written, the index saying "keychain"), and a wrapper that
 * times the writes of any store (the keychain write of a sign-in, reported on its own).
 */
import { performance } from 'node:perf_hooks';
import type { ClientCredentialRead, StoredClientCredential } from '../src-main/core/store/client-credential.ts';
import { MemorySecretStore } from '../src-main/core/store/memory-secret-store.ts';
import type { SecretRead, SecretStore, SecretStoreStatus, StoredSecret } from '../src-main/core/store/secret-store.ts';

/**
 * OIDC Desk's in-memory store, saying it persists. The plain MemorySecretStore makes the core run
 * session-only (no token cache write, no keychain entry), which would measure less work than a real
 * sign-in or refresh does; this one leaves only the keychain's own latency out.
 */
export function instantKeychain(): MemorySecretStore {
  const store = new MemorySecretStore();
  Object.defineProperty(store, 'persistent', { value: true });
  return store;
}

/** A store that times each `set` of the store it wraps (milliseconds, in `setMs`) and counts every call. */
export class TimedSecretStore implements SecretStore {
  readonly setMs: number[] = [];
  calls = 0;
  readonly #inner: SecretStore;

  constructor(inner: SecretStore) {
    this.#inner = inner;
  }

  get persistent(): boolean {
    return this.#inner.persistent;
  }

  status(): Promise<SecretStoreStatus> {
    this.calls++;
    return this.#inner.status();
  }

  get(sessionId: string): Promise<SecretRead> {
    this.calls++;
    return this.#inner.get(sessionId);
  }

  async set(sessionId: string, secret: StoredSecret): Promise<void> {
    this.calls++;
    const t0 = performance.now();
    await this.#inner.set(sessionId, secret);
    this.setMs.push(performance.now() - t0);
  }

  delete(sessionId: string): Promise<boolean> {
    this.calls++;
    return this.#inner.delete(sessionId);
  }

  getClient(account: string): Promise<ClientCredentialRead> {
    this.calls++;
    return this.#inner.getClient(account);
  }

  setClient(account: string, credential: StoredClientCredential): Promise<void> {
    this.calls++;
    return this.#inner.setClient(account, credential);
  }

  deleteClient(account: string): Promise<boolean> {
    this.calls++;
    return this.#inner.deleteClient(account);
  }
}

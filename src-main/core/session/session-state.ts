/**
 * What the parts of the session service share: the index (read and changed under its lock), what this
 * process holds of each session, the token cache, the keychain's state, the session locks, and the
 * events every front hears. The one place where "session-only" is decided.
 * @module
 */
import { join } from 'node:path';
import type { KeychainView, SessionEvent, SessionView } from '../contract.ts';
import { DeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';
import type { ExchangeLog } from '../http/exchange-log.ts';
import type { ExchangeContext } from '../http/exchange-context.ts';
import type { DpopSigner } from '../oauth/dpop.ts';
import type { ProviderContext, ProviderDirectory } from '../oauth/provider-context.ts';
import { ensurePrivateDir } from '../store/data-dir.ts';
import { withFileLock } from '../store/file-lock.ts';
import type { PrivateJwk } from '../store/client-credential.ts';
import type { SecretStore, StoredSecret } from '../store/secret-store.ts';
import type { SessionIndexDoc, SessionRecord } from '../store/session-index.ts';
import type { VersionedStore } from '../store/versioned-store.ts';
import type { RefreshScheduler } from './scheduler.ts';
import type { HeldTokens, TokenBinding, TokenCache } from './token-cache.ts';
import { sessionView } from './views.ts';

/** Dependencies of the session service; fronts choose the concrete ones (through `openDesk`). */
export interface SessionServiceDeps {
  /** The data directory (profiles.json, sessions.json, tokens/, locks/). */
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly fetch: FetchLike;
  readonly now: () => number;
  /** Randomness for backoff jitter, [0, 1). */
  readonly random?: () => number;
  /** How long a sign-in waits for the browser (default 10 min). */
  readonly flowTtlMs?: number;
  /**
   * Called before any request that carries a token (refresh, userinfo, introspection, revocation, logout)
   * with the provider and client it goes to; throws to send nothing. The demo provider's front uses it to
   * make sure the provider at that address is really its own.
   */
  readonly beforeSend?: (target: TokenBinding) => Promise<void>;
  /** The exchange log the fetch writes to: a sign-in's exchanges are assigned to the session it makes. */
  readonly exchanges?: ExchangeLog;
}

/** A refresh token and the provider and client it was issued for, as read from the keychain (or memory). */
export interface Grant extends TokenBinding {
  readonly refreshToken: string;
  /** The token cache key of the keychain entry (absent in session-only mode and in old entries). */
  readonly cacheKey?: string | undefined;
  /** The session's DPoP private key, kept with the refresh token, when its tokens are DPoP-bound. */
  readonly dpopKey?: PrivateJwk | undefined;
}

/** What this process holds of one session. */
export interface Live {
  /** The access and ID tokens this process holds. */
  tokens?: HeldTokens | undefined;
  /** Session-only mode: the grant when the keychain could not take it. */
  memoryGrant?: Grant | undefined;
  inflight?: Promise<SessionView> | undefined;
  lastError?: DeskError | undefined;
  /** This process's DPoP signer of the session (its key, and the provider's nonces it learned). */
  dpop?: DpopSigner | undefined;
}

type IndexChange = (doc: SessionIndexDoc) => SessionIndexDoc;

/** A queued re-read (no `change`) or change of the index, settled when its batch is written or read. */
interface IndexWork {
  readonly change: IndexChange | undefined;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** How long an access token without `expires_in` is used before a refresh (it may have expired long ago). */
const UNSTATED_EXPIRY_MS = 5 * 60_000;

/** The shared state of the session service's parts. */
export class SessionState {
  readonly deps: SessionServiceDeps;
  readonly index: VersionedStore<SessionIndexDoc>;
  readonly cache: TokenCache;
  readonly providers: ProviderDirectory;
  readonly live = new Map<string, Live>();
  /** Set once by the service (the scheduler calls back into the refresher). */
  scheduler!: RefreshScheduler;
  doc: SessionIndexDoc;
  readonly #listeners = new Set<(event: SessionEvent) => void>();
  #keychain: KeychainView | undefined;
  readonly #indexQueue: IndexWork[] = [];
  #indexBusy = false;

  constructor(deps: SessionServiceDeps, index: VersionedStore<SessionIndexDoc>, doc: SessionIndexDoc, cache: TokenCache, providers: ProviderDirectory) {
    this.deps = deps;
    this.index = index;
    this.doc = doc;
    this.cache = cache;
    this.providers = providers;
  }

  now(): number {
    return this.deps.now();
  }

  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SessionEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a front's listener must not break the service
      }
    }
  }

  emitUpdated(id: string): void {
    const record = this.doc.sessions.find((s) => s.id === id);
    if (record) this.emit({ type: 'session-updated', session: this.view(record) });
  }

  /** The record of a session, or SESSION_NOT_FOUND (never echoing the value: it may be a pasted token). */
  record(id: unknown): SessionRecord {
    const found = typeof id === 'string' ? this.doc.sessions.find((s) => s.id === id) : undefined;
    if (found === undefined) throw new DeskError('SESSION_NOT_FOUND', 'There is no session with that id.');
    return found;
  }

  liveOf(id: string): Live {
    let live = this.live.get(id);
    if (live === undefined) {
      live = {};
      this.live.set(id, live);
    }
    return live;
  }

  /**
   * The view of a session. Session-only is decided here and only here: the refresh token lives only in
   * this process's memory (the keychain could not take it), or nowhere (the provider issued none).
   */
  view(record: SessionRecord): SessionView {
    const live = this.live.get(record.id);
    return sessionView({
      record,
      tokens: live?.tokens,
      storage: live?.memoryGrant !== undefined ? 'session-only' : record.hasRefreshToken ? 'keychain' : 'none',
      refreshing: live?.inflight !== undefined,
      lastError: live?.lastError,
      now: this.now(),
    });
  }

  /**
   * Re-reads the index (another process may have changed it). When the file is still the one the document
   * held here came from, there is nothing to read: it resolves at once, without waiting in the queue
   * behind this process's own changes (their writes take the disk's time).
   */
  reload(): Promise<void> {
    if (this.index.holds(this.doc)) return Promise.resolve();
    return this.#indexWork(undefined);
  }

  /** Changes the index under its lock (re-read, `change`, atomic write), then holds the result in memory. */
  updateIndex(change: (doc: SessionIndexDoc) => SessionIndexDoc): Promise<void> {
    return this.#indexWork(change);
  }

  /**
   * Queues a re-read or a change of the index. One batch at a time touches the file, in call order: the
   * calls that arrived while a batch ran form the next one, whose changes are applied in order and written
   * once. Each batch reads the file after every call in it was made, and only a batch's result is held in
   * memory, so the copy here never goes back to an older file (a re-read that finished after a change used
   * to put a session back out of the list).
   */
  #indexWork(change: IndexChange | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#indexQueue.push({ change, resolve, reject });
      if (!this.#indexBusy) void this.#drainIndexQueue();
    });
  }

  async #drainIndexQueue(): Promise<void> {
    this.#indexBusy = true;
    while (this.#indexQueue.length > 0) {
      const batch = this.#indexQueue.splice(0);
      const failed = new Map<IndexWork, unknown>();
      try {
        if (batch.every((w) => w.change === undefined)) this.doc = await this.index.read();
        else {
          this.doc = await this.index.update((doc) => batch.reduce((current, work) => {
            if (work.change === undefined) return current;
            try {
              return work.change(current);
            } catch (error) {
              failed.set(work, error); // this change alone is dropped; the others are written
              return current;
            }
          }, doc));
        }
      } catch (error) {
        for (const work of batch) work.reject(error);
        continue;
      }
      for (const work of batch) {
        if (failed.has(work)) work.reject(failed.get(work));
        else work.resolve();
      }
    }
    this.#indexBusy = false;
  }

  async patchRecord(id: string, patch: (record: SessionRecord) => SessionRecord): Promise<SessionRecord> {
    await this.updateIndex((doc) => ({ ...doc, sessions: doc.sessions.map((s) => (s.id === id ? { ...patch(s), updatedAt: this.now() } : s)) }));
    return this.record(id);
  }

  /**
   * Runs `fn` holding the session's cross-process lock (refresh, sign-out, re-sign-in). `lost` is aborted
   * when the lock was taken away meanwhile (this process stalled past the stale window): nothing may then
   * send the session's refresh token, since another process may have redeemed it.
   */
  async withSessionLock<T>(id: string, fn: (lost: AbortSignal) => Promise<T>): Promise<T> {
    // The data directory itself too: a link in its place would be followed on the way to `locks/`.
    await ensurePrivateDir(this.deps.dataDir);
    return withFileLock(join(this.deps.dataDir, 'locks', `${id}.lock`), (lock) => fn(lock.signal), { now: this.deps.now });
  }

  /**
   * The session's provider, its exchanges attributed to `context` (the session's own operations pass
   * `{ sessionId }`: its timeline); stated at every call, so that none is left unattributed by omission.
   */
  provider(record: SessionRecord, context: ExchangeContext | undefined): Promise<ProviderContext> {
    return this.providers.get({ issuer: record.issuer, clientId: record.clientId, allowHttpLoopback: record.allowHttpLoopback }, { context });
  }

  /**
   * The provider a grant (or held tokens) belongs to, as bound in the keychain: where its tokens may go;
   * its exchanges attributed to `context` as with {@link provider}.
   */
  providerOf(binding: TokenBinding, allowHttpLoopback: boolean, context: ExchangeContext | undefined): Promise<ProviderContext> {
    return this.providers.get({ issuer: binding.issuer, clientId: binding.clientId, allowHttpLoopback }, { context });
  }

  /** Lets the front refuse a request carrying a token before it goes to `target` (see SessionServiceDeps.beforeSend). */
  async beforeSend(target: TokenBinding): Promise<void> {
    await this.deps.beforeSend?.({ issuer: target.issuer, clientId: target.clientId });
  }

  /** True when the access token has `minValidityMs` left; one without a stated expiry is trusted for a few minutes only. */
  validFor(held: HeldTokens, minValidityMs: number): boolean {
    const expiresAt = held.expiresAt ?? held.receivedAt + UNSTATED_EXPIRY_MS;
    return expiresAt - this.now() > minValidityMs;
  }

  secretFor(binding: TokenBinding, refreshToken: string, cacheKey: string | undefined, dpopKey?: PrivateJwk): StoredSecret {
    return { v: 1, refreshToken, issuer: binding.issuer, clientId: binding.clientId, createdAt: this.now(), ...(cacheKey === undefined ? {} : { cacheKey }), ...(dpopKey === undefined ? {} : { dpopKey }) };
  }

  /** The keychain state (probed once, then after each keychain failure). */
  async keychain(): Promise<KeychainView> {
    if (this.#keychain === undefined) {
      const status = await this.deps.secrets.status();
      this.#keychain = { ...status, sessionOnly: !this.deps.secrets.persistent || status.state !== 'available' };
    }
    return this.#keychain;
  }

  /** Records a change of keychain state and tells every front. */
  setKeychain(keychain: KeychainView): void {
    this.#keychain = keychain;
    this.emit({ type: 'keychain', keychain });
  }

  /** The grant is gone for good: no refresh is planned, the cache is dropped, the session asks for a sign-in. */
  async markSignInNeeded(id: string, error: DeskError): Promise<void> {
    this.liveOf(id).lastError = error;
    this.scheduler.cancel(id);
    await this.cache.remove(id);
    await this.patchRecord(id, (r) => ({ ...r, status: 'sign-in-needed', hasRefreshToken: false }));
  }
}

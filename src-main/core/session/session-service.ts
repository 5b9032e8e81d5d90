/**
 * The session service: sign-in into sessions, several profiles and accounts at once, refresh tokens
 * kept only in the secret store, single-flight refresh with rotation, userinfo, introspection,
 * revocation and sign-out, and change events for every front.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type {
  ErrorView, IntrospectionView, KeychainView, RevealedToken, SessionEvent, SessionView, UserinfoView,
} from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';
import type { AuthorizationOptions } from '../oauth/authorize.ts';
import { checkRefreshedIdToken, type IdTokenClaims } from '../oauth/id-token.ts';
import { ProviderDirectory, type ProviderContext } from '../oauth/provider-context.ts';
import { introspectToken, revokeToken } from '../oauth/revocation.ts';
import { SignInEngine, type SignInResult, type StartedSignIn } from '../oauth/sign-in.ts';
import { refreshTokens, type TokenSet } from '../oauth/tokens.ts';
import { compareClaims, fetchUserinfo } from '../oauth/userinfo.ts';
import type { Profile } from '../profile.ts';
import { checkDataDir } from '../store/data-dir.ts';
import { withFileLock } from '../store/file-lock.ts';
import { ProfileStore } from '../store/profiles.ts';
import type { SecretStore, StoredSecret } from '../store/secret-store.ts';
import { corruptCopiesProblem } from '../store/startup-problems.ts';
import { sessionIndexStore, type IdTokenBinding, type SessionIndexDoc, type SessionRecord } from '../store/session-index.ts';
import type { VersionedStore } from '../store/versioned-store.ts';
import { RefreshScheduler } from './scheduler.ts';
import { sessionView } from './views.ts';

/** Dependencies of the session service; fronts choose the concrete ones. */
export interface SessionServiceDeps {
  /** The data directory (profiles.json, sessions.json, locks). */
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly fetch: FetchLike;
  readonly now: () => number;
  /** Randomness for backoff jitter, [0, 1). */
  readonly random?: () => number;
  /** How long a sign-in waits for the browser (default 10 min). */
  readonly flowTtlMs?: number;
}

/** What a sign-out did. */
export interface SignOutResult {
  /** Both tokens were revoked at the provider. */
  revoked: boolean;
  /** Revocation failed on the network; the token waits in the keychain and is retried later. */
  revocationPending: boolean;
  /** The provider refused the revocation (the local sign-out is complete anyway). */
  revocationError?: ErrorView;
  /** RP-initiated logout, when asked for: open `url` in the system browser. */
  endSession?: { url: string; result: Promise<void> };
}

/** How often owed revocations are retried while the scheduler runs. */
export const REVOCATION_RETRY_MS = 5 * 60_000;

/** Access tokens closer than this to expiry are refreshed before use (documented for `oidc-desk token`). */
export const MIN_ACCESS_TOKEN_VALIDITY_S = 60;

interface Live {
  tokens?: TokenSet | undefined;
  /** Session-only mode: the refresh token when the keychain could not take it. */
  memoryRefreshToken?: string | undefined;
  inflight?: Promise<SessionView> | undefined;
  lastError?: DeskError | undefined;
}

function bindingOf(claims: IdTokenClaims | undefined): IdTokenBinding | undefined {
  if (claims === undefined) return undefined;
  const aud = typeof claims.aud === 'string' ? [claims.aud] : [...claims.aud];
  const authTime = claims.auth_time;
  return { iss: claims.iss, sub: claims.sub, aud, ...(typeof authTime === 'number' ? { authTime } : {}) };
}

function displayNameOf(claims: IdTokenClaims | undefined): string | undefined {
  for (const k of ['name', 'preferred_username', 'email']) {
    const v = claims?.[k];
    if (typeof v === 'string' && v.length > 0) return v.slice(0, 200);
  }
  return undefined;
}

/** The session service. Create it with {@link SessionService.open}. */
export class SessionService {
  readonly profiles: ProfileStore;
  readonly engine: SignInEngine;
  readonly providers: ProviderDirectory;
  readonly #deps: SessionServiceDeps;
  readonly #index: VersionedStore<SessionIndexDoc>;
  readonly #live = new Map<string, Live>();
  readonly #listeners = new Set<(event: SessionEvent) => void>();
  readonly #scheduler: RefreshScheduler;
  #doc: SessionIndexDoc;
  #keychain: KeychainView | undefined;
  #revocationTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(deps: SessionServiceDeps, index: VersionedStore<SessionIndexDoc>, doc: SessionIndexDoc) {
    this.#deps = deps;
    this.#index = index;
    this.#doc = doc;
    this.profiles = new ProfileStore(deps.dataDir, deps.now);
    this.providers = new ProviderDirectory(deps.fetch);
    this.engine = new SignInEngine({ fetch: deps.fetch, now: deps.now, providers: this.providers, ...(deps.flowTtlMs === undefined ? {} : { flowTtlMs: deps.flowTtlMs }) });
    this.#scheduler = new RefreshScheduler({
      now: deps.now,
      random: deps.random ?? Math.random,
      refresh: (id) => this.refresh(id).then(() => undefined, (error: unknown) => {
        // Signed out meanwhile (perhaps by another process): nothing left to refresh.
        if (isDeskError(error, 'SESSION_NOT_FOUND')) this.#scheduler.cancel(id);
      }),
    });
  }

  /**
   * A problem found at start-up that the user must see: a corrupt index was kept aside and a new one
   * started (`INDEX_CORRUPT`). A newer index is not opened at all (`open` rejects).
   */
  startupProblem: ErrorView | undefined;

  /**
   * Opens the service: checks the data directory (created 0700, else refused DATA_DIR_INSECURE when it
   * is not safe), reads the index and profiles (no keychain access, no network), and sets
   * `startupProblem` while a corrupt index or profiles file is kept aside.
   */
  static async open(deps: SessionServiceDeps): Promise<SessionService> {
    await checkDataDir(deps.dataDir);
    const index = sessionIndexStore(deps.dataDir, deps.now);
    let doc: SessionIndexDoc;
    try {
      doc = await index.read();
    } catch (error) {
      if (!isDeskError(error, 'INDEX_CORRUPT')) throw error;
      doc = await index.read();
    }
    const service = new SessionService(deps, index, doc);
    // Read now so that a corrupt profiles file is set aside and reported at start, not at first use.
    await service.profiles.list().catch((error: unknown) => {
      if (!isDeskError(error, 'INDEX_CORRUPT') && !isDeskError(error, 'INDEX_NEWER_VERSION')) throw error;
    });
    service.startupProblem = (await corruptCopiesProblem(deps.dataDir))?.toJSON();
    return service;
  }

  /** The data directory this service works in. */
  get dataDir(): string {
    return this.#deps.dataDir;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The keychain state (probed once, then after each keychain failure). */
  async keychain(): Promise<KeychainView> {
    if (this.#keychain === undefined) {
      const status = await this.#deps.secrets.status();
      this.#keychain = { ...status, sessionOnly: !this.#deps.secrets.persistent || status.state !== 'available' };
    }
    return this.#keychain;
  }

  /** Every session, newest first. */
  list(): SessionView[] {
    return [...this.#doc.sessions].sort((a, b) => b.createdAt - a.createdAt).map((r) => this.#view(r));
  }

  /** One session's view, or SESSION_NOT_FOUND. */
  view(id: unknown): SessionView {
    return this.#view(this.#record(id));
  }

  /** Re-reads the index (another process may have changed it). */
  async reload(): Promise<void> {
    this.#doc = await this.#index.read();
  }

  /**
   * Starts a sign-in for a profile. `session` resolves when the callback arrived and every token
   * check passed, and the new session is stored.
   */
  async signIn(profile: Profile, options: AuthorizationOptions = {}): Promise<{ started: StartedSignIn; session: Promise<SessionView> }> {
    const started = await this.engine.start(profile, options);
    const session = started.result.then((result) => this.#createSession(result));
    session.catch(() => undefined);
    return { started, session };
  }

  /** Refreshes a session now. Any number of concurrent calls share one token request. */
  async refresh(id: unknown): Promise<SessionView> {
    const record = this.#record(id);
    const live = this.#liveOf(record.id);
    if (live.inflight) return live.inflight;
    const run = this.#refreshOnce(record.id).finally(() => {
      live.inflight = undefined;
      this.#emitUpdated(record.id);
    });
    live.inflight = run;
    this.#emitUpdated(record.id);
    return run;
  }

  /** An access token valid for at least `minValiditySeconds`, refreshing first when needed. */
  async accessToken(id: unknown, minValiditySeconds = MIN_ACCESS_TOKEN_VALIDITY_S): Promise<string> {
    const record = this.#record(id);
    const tokens = this.#live.get(record.id)?.tokens;
    if (tokens && (tokens.expiresAt === undefined || tokens.expiresAt - this.#deps.now() > minValiditySeconds * 1000)) return tokens.accessToken;
    await this.refresh(record.id);
    const fresh = this.#live.get(record.id)?.tokens;
    if (!fresh) throw new DeskError('INTERNAL', 'The refresh gave no access token.');
    return fresh.accessToken;
  }

  /** The current ID token, refreshing first when this process holds none. */
  async idToken(id: unknown): Promise<string> {
    const record = this.#record(id);
    if (this.#live.get(record.id)?.tokens?.idToken === undefined) await this.refresh(record.id);
    const token = this.#live.get(record.id)?.tokens?.idToken;
    if (token === undefined) throw new DeskError('NO_ID_TOKEN', 'This session has no ID token: the provider sent none (request the "openid" scope to get one).');
    return token;
  }

  /** Reveals one token in full: an explicit user action. */
  async reveal(id: unknown, type: unknown): Promise<RevealedToken> {
    const record = this.#record(id);
    if (type === 'access') return { sessionId: record.id, type, value: await this.accessToken(record.id) };
    if (type === 'id') return { sessionId: record.id, type, value: await this.idToken(record.id) };
    if (type === 'refresh') return { sessionId: record.id, type, value: await this.#readRefreshToken(record) };
    throw new DeskError('USAGE', 'The token type must be access, id or refresh.');
  }

  /**
   * Userinfo with the Bearer header; `sub` must equal the session's. On `401 invalid_token` the
   * access token is refreshed once and the call retried once.
   */
  async userinfo(id: unknown): Promise<UserinfoView> {
    const record = this.#record(id);
    const ctx = await this.#provider(record);
    let claims: Record<string, unknown>;
    try {
      claims = await fetchUserinfo(ctx, await this.accessToken(record.id), record.subject);
    } catch (error) {
      if (!isDeskError(error, 'INVALID_GRANT')) throw error;
      await this.refresh(record.id);
      claims = await fetchUserinfo(ctx, await this.accessToken(record.id), record.subject);
    }
    const idClaims = this.#live.get(record.id)?.tokens?.idTokenClaims ?? { sub: record.subject };
    return { sessionId: record.id, claims, comparison: compareClaims(claims, idClaims) };
  }

  /** RFC 7662 introspection of the session's access or refresh token. */
  async introspect(id: unknown, which: unknown = 'access'): Promise<IntrospectionView> {
    const record = this.#record(id);
    if (which !== 'access' && which !== 'refresh') throw new DeskError('USAGE', 'Introspect the access or the refresh token.');
    const ctx = await this.#provider(record);
    const token = which === 'access' ? await this.accessToken(record.id) : await this.#readRefreshToken(record);
    const result = await introspectToken(ctx, token, which === 'access' ? 'access_token' : 'refresh_token');
    return { sessionId: record.id, token: which, ...result };
  }

  /**
   * Signs out: deletes the keychain entry first, forgets the session, then revokes the refresh and
   * access tokens (RFC 7009). A revocation that fails on the network is kept and retried later; the
   * local sign-out is complete either way. With `endSession`, also starts RP-initiated logout: open
   * `endSession.url` in the system browser; `endSession.result` settles when it comes back.
   */
  async signOut(id: unknown, options: { revoke?: boolean; endSession?: boolean } = {}): Promise<SignOutResult> {
    const record = this.#record(id);
    const live = this.#liveOf(record.id);
    // Under the session's lock: a refresh in any process finishes first, so the token read here is
    // the latest one and no rotated token is written back after the entry is gone.
    const refreshToken = await this.#withSessionLock(record.id, async () => {
      await this.reload();
      const current = this.#doc.sessions.find((s) => s.id === record.id);
      let token: string | undefined = live.memoryRefreshToken;
      if (token === undefined && current?.hasRefreshToken) {
        const read = await this.#deps.secrets.get(record.id).catch(() => ({ kind: 'absent' as const }));
        if (read.kind === 'found') token = read.secret.refreshToken;
      }
      if (current?.hasRefreshToken) await this.#deps.secrets.delete(record.id);
      await this.#updateIndex((doc) => ({ ...doc, sessions: doc.sessions.filter((s) => s.id !== record.id) }));
      return token;
    });
    const accessToken = live.tokens?.accessToken;
    const idTokenHint = live.tokens?.idToken;
    this.#live.delete(record.id);
    this.#scheduler.cancel(record.id);
    this.#emit({ type: 'session-removed', sessionId: record.id });
    const result: SignOutResult = { revoked: false, revocationPending: false };
    if (options.revoke !== false && (refreshToken !== undefined || accessToken !== undefined)) {
      try {
        const ctx = await this.#provider(record);
        if (refreshToken !== undefined) await revokeToken(ctx, refreshToken, 'refresh_token');
        if (accessToken !== undefined) await revokeToken(ctx, accessToken, 'access_token');
        result.revoked = true;
      } catch (error) {
        const err = isDeskError(error) ? error : new DeskError('REVOCATION_FAILED', 'Revocation failed.', { cause: error });
        if (err.category === 'network' && refreshToken !== undefined) result.revocationPending = await this.#oweRevocation(record, refreshToken);
        else result.revocationError = err.toJSON();
      }
    }
    if (options.endSession === true) result.endSession = this.engine.startEndSession(await this.#provider(record), idTokenHint);
    return result;
  }

  /** Retries revocations that failed on the network. Returns how many are still owed. */
  async retryRevocations(): Promise<number> {
    for (const owed of this.#doc.revocations) {
      try {
        const read = await this.#deps.secrets.get(owed.account);
        if (read.kind === 'found') {
          const ctx = await this.providers.get({ issuer: owed.issuer, clientId: owed.clientId, allowHttpLoopback: owed.allowHttpLoopback });
          await revokeToken(ctx, read.secret.refreshToken, 'refresh_token');
        }
        if (read.kind === 'unknown') continue;
        await this.#deps.secrets.delete(owed.account);
        await this.#updateIndex((doc) => ({ ...doc, revocations: doc.revocations.filter((r) => r.account !== owed.account) }));
      } catch {
        // still owed; the scheduler tries again later
      }
    }
    return this.#doc.revocations.length;
  }

  /** When the scheduler will next refresh a session, and after how many failed attempts. */
  nextRefresh(id: unknown): { at: number; attempt: number } | undefined {
    return this.#scheduler.nextAt(this.#record(id).id);
  }

  /**
   * Starts automatic refresh shortly before access tokens expire (never opens a browser), and retries
   * owed revocations now and every {@link REVOCATION_RETRY_MS}.
   */
  startScheduler(): void {
    this.#scheduler.start();
    void this.retryRevocations();
    clearInterval(this.#revocationTimer);
    this.#revocationTimer = setInterval(() => void this.retryRevocations(), REVOCATION_RETRY_MS);
    this.#revocationTimer.unref?.();
    for (const [id, live] of this.#live) if (live.tokens?.expiresAt !== undefined) this.#scheduler.planExpiry(id, live.tokens.expiresAt);
  }

  /** Stops automatic refresh. */
  stopScheduler(): void {
    this.#scheduler.stop();
    clearInterval(this.#revocationTimer);
  }

  /** Stops timers; pending sign-ins are abandoned. */
  close(): void {
    this.stopScheduler();
  }

  // ---- internals ----

  /** Runs `fn` holding the session's cross-process lock (refresh, sign-out, re-sign-in). */
  #withSessionLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.#deps.dataDir, 'locks', `${id}.lock`), fn, { now: this.#deps.now });
  }

  #record(id: unknown): SessionRecord {
    const found = typeof id === 'string' ? this.#doc.sessions.find((s) => s.id === id) : undefined;
    if (found === undefined) {
      // Echo only what looks like a session id: a pasted token must not reach an error message.
      const shown = typeof id === 'string' && /^s-[0-9a-f]{8}$/.test(id) ? ` "${id}"` : '';
      throw new DeskError('SESSION_NOT_FOUND', `There is no such session${shown}. List them with "oidc-desk sessions".`);
    }
    return found;
  }

  #liveOf(id: string): Live {
    let live = this.#live.get(id);
    if (live === undefined) {
      live = {};
      this.#live.set(id, live);
    }
    return live;
  }

  #view(record: SessionRecord): SessionView {
    const live = this.#live.get(record.id);
    return sessionView({
      record,
      tokens: live?.tokens,
      sessionOnly: live?.memoryRefreshToken !== undefined,
      refreshing: live?.inflight !== undefined,
      lastError: live?.lastError,
      now: this.#deps.now(),
    });
  }

  #emit(event: SessionEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a front's listener must not break the service
      }
    }
  }

  #emitUpdated(id: string): void {
    const record = this.#doc.sessions.find((s) => s.id === id);
    if (record) this.#emit({ type: 'session-updated', session: this.#view(record) });
  }

  async #updateIndex(change: (doc: SessionIndexDoc) => SessionIndexDoc): Promise<void> {
    this.#doc = await this.#index.update(change);
  }

  async #patchRecord(id: string, patch: Partial<SessionRecord>): Promise<SessionRecord> {
    await this.#updateIndex((doc) => ({ ...doc, sessions: doc.sessions.map((s) => (s.id === id ? { ...s, ...patch, updatedAt: this.#deps.now() } : s)) }));
    return this.#record(id);
  }

  #provider(record: SessionRecord): Promise<ProviderContext> {
    return this.providers.get({ issuer: record.issuer, clientId: record.clientId, allowHttpLoopback: record.allowHttpLoopback });
  }

  #secretFor(record: { issuer: string; clientId: string }, refreshToken: string): StoredSecret {
    return { v: 1, refreshToken, issuer: record.issuer, clientId: record.clientId, createdAt: this.#deps.now() };
  }

  /** Writes a refresh token to the keychain, or keeps it in memory when the keychain cannot take it. */
  async #storeRefreshToken(id: string, record: { issuer: string; clientId: string }, refreshToken: string): Promise<'keychain' | 'memory'> {
    const live = this.#liveOf(id);
    const keychain = await this.keychain();
    // A keychain that is missing stays skipped; a locked or failing one is tried again each time.
    if (this.#deps.secrets.persistent && keychain.state !== 'unavailable') {
      try {
        await this.#deps.secrets.set(id, this.#secretFor(record, refreshToken));
        live.memoryRefreshToken = undefined;
        if (keychain.sessionOnly) this.#setKeychain({ state: 'available', sessionOnly: false });
        return 'keychain';
      } catch (error) {
        if (!isDeskError(error) || error.category !== 'keychain') throw error;
        live.lastError = error;
        this.#setKeychain({ state: error.code === 'KEYCHAIN_LOCKED' ? 'locked' : 'unavailable', message: error.message, sessionOnly: true });
      }
    }
    live.memoryRefreshToken = refreshToken;
    return 'memory';
  }

  /** Records a change of keychain state and tells every front. */
  #setKeychain(keychain: KeychainView): void {
    this.#keychain = keychain;
    this.#emit({ type: 'keychain', keychain });
  }

  async #createSession(result: SignInResult): Promise<SessionView> {
    const { profile, tokens } = result;
    const subject = tokens.idTokenClaims?.sub ?? 'unknown';
    const existing = this.#doc.sessions.find((s) => s.profile === profile.name && s.subject === subject && s.issuer === profile.issuer && subject !== 'unknown');
    const id = existing?.id ?? `s-${randomBytes(4).toString('hex')}`;
    return this.#withSessionLock(id, () => this.#storeSession(id, existing, result));
  }

  /** Stores a signed-in session under `id` (new, or replacing `existing`); called holding its lock. */
  async #storeSession(id: string, existing: SessionRecord | undefined, result: SignInResult): Promise<SessionView> {
    const { profile, tokens } = result;
    const subject = tokens.idTokenClaims?.sub ?? 'unknown';
    // Signing in again replaces the session's grant: the old refresh token is revoked, not left valid.
    const previous = existing?.hasRefreshToken ? await this.#deps.secrets.get(id).catch(() => undefined) : undefined;
    const live = this.#liveOf(id);
    live.tokens = { ...tokens, refreshToken: undefined };
    live.lastError = undefined;
    let stored: 'keychain' | 'memory' | 'none' = 'none';
    if (tokens.refreshToken !== undefined) stored = await this.#storeRefreshToken(id, profile, tokens.refreshToken);
    const now = this.#deps.now();
    const binding = bindingOf(tokens.idTokenClaims);
    const displayName = displayNameOf(tokens.idTokenClaims);
    const record: SessionRecord = {
      id,
      profile: profile.name,
      issuer: profile.issuer,
      clientId: profile.clientId,
      allowHttpLoopback: profile.allowHttpLoopback,
      subject,
      ...(displayName === undefined ? {} : { displayName }),
      scopes: tokens.scope ?? profile.scopes,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      ...(tokens.expiresAt === undefined ? {} : { accessTokenExpiresAt: tokens.expiresAt }),
      status: 'active',
      hasRefreshToken: stored === 'keychain',
      ...(binding ? { binding } : {}),
    };
    await this.#updateIndex((doc) => ({ ...doc, sessions: [...doc.sessions.filter((s) => s.id !== id), record] }));
    if (tokens.expiresAt !== undefined) this.#scheduler.planExpiry(id, tokens.expiresAt);
    if (previous?.kind === 'found' && previous.secret.refreshToken !== tokens.refreshToken) {
      const old = previous.secret.refreshToken;
      await revokeToken(result.provider, old, 'refresh_token').catch(async (error: unknown) => {
        if (isDeskError(error) && error.category === 'network') await this.#oweRevocation(record, old);
      });
    }
    const view = this.#view(record);
    this.#emit({ type: existing ? 'session-updated' : 'session-added', session: view });
    return view;
  }

  async #readRefreshToken(record: SessionRecord): Promise<string> {
    const memory = this.#live.get(record.id)?.memoryRefreshToken;
    if (memory !== undefined) return memory;
    if (record.status === 'sign-in-needed' || !record.hasRefreshToken) throw new DeskError('SIGN_IN_NEEDED', 'This session has no refresh token any more; sign in again.');
    let read;
    try {
      read = await this.#deps.secrets.get(record.id);
    } catch (error) {
      if (isDeskError(error, 'KEYCHAIN_ENTRY_CORRUPT')) await this.#markSignInNeeded(record.id, error);
      throw error;
    }
    if (read.kind === 'unknown') throw read.reason;
    if (read.kind === 'absent') {
      const err = new DeskError('SIGN_IN_NEEDED', 'The keychain no longer holds this session\'s refresh token; sign in again.');
      await this.#markSignInNeeded(record.id, err);
      throw err;
    }
    if (read.secret.issuer !== record.issuer || read.secret.clientId !== record.clientId) {
      await this.#deps.secrets.delete(record.id).catch(() => undefined);
      const err = new DeskError('KEYCHAIN_ENTRY_CORRUPT', 'The keychain entry of this session belongs to another provider or client; it was removed. Sign in again.');
      await this.#markSignInNeeded(record.id, err);
      throw err;
    }
    return read.secret.refreshToken;
  }

  async #markSignInNeeded(id: string, error: DeskError): Promise<void> {
    this.#liveOf(id).lastError = error;
    this.#scheduler.cancel(id);
    await this.#patchRecord(id, { status: 'sign-in-needed', hasRefreshToken: false });
  }

  async #refreshOnce(id: string): Promise<SessionView> {
    return this.#withSessionLock(id, async () => {
      // Another process may have rotated the token or signed out: decide on the current index.
      await this.reload();
      const record = this.#record(id);
      if (record.status === 'sign-in-needed') throw new DeskError('SIGN_IN_NEEDED', 'This session needs a new sign-in.');
      const live = this.#liveOf(id);
      const refreshToken = await this.#readRefreshToken(record);
      const ctx = await this.#provider(record);
      let tokens: TokenSet;
      try {
        tokens = await refreshTokens(ctx, { refreshToken, now: this.#deps.now });
        const previous = live.tokens?.idTokenClaims ?? (record.binding ? { iss: record.binding.iss, sub: record.binding.sub, aud: record.binding.aud, ...(record.binding.authTime === undefined ? {} : { auth_time: record.binding.authTime }) } : undefined);
        if (tokens.idTokenClaims !== undefined && previous !== undefined) checkRefreshedIdToken(previous, tokens.idTokenClaims);
      } catch (error) {
        const err = isDeskError(error) ? error : new DeskError('INTERNAL', 'Refresh failed.', { cause: error });
        if (err.code === 'INVALID_GRANT') {
          // The grant is gone: forget the token, ask for a sign-in, never retry in a loop.
          if (record.hasRefreshToken) await this.#deps.secrets.delete(id).catch(() => undefined);
          live.memoryRefreshToken = undefined;
          live.tokens = undefined;
          const needed = new DeskError('SIGN_IN_NEEDED', `${err.message}`, { cause: err, oauthError: 'invalid_grant' });
          await this.#markSignInNeeded(id, needed);
          throw needed;
        }
        live.lastError = err;
        if (err.category === 'network' || err.category === 'keychain') this.#scheduler.planRetry(id);
        throw err;
      }
      // Rotation: the new refresh token reaches the keychain before anything else uses it.
      let storageLost = false;
      if (tokens.refreshToken !== undefined && tokens.refreshToken !== refreshToken) {
        if (await this.#storeRefreshToken(id, record, tokens.refreshToken) === 'memory' && record.hasRefreshToken) {
          // The keychain still holds the rotated-out token: no process may send it again.
          await this.#deps.secrets.delete(id).catch(() => undefined);
          storageLost = true;
        }
      }
      live.tokens = { ...tokens, refreshToken: undefined };
      live.lastError = undefined;
      this.#scheduler.succeeded(id);
      const binding = bindingOf(tokens.idTokenClaims);
      const updated = await this.#patchRecord(id, {
        ...(storageLost ? { hasRefreshToken: false } : {}),
        ...(tokens.expiresAt === undefined ? {} : { accessTokenExpiresAt: tokens.expiresAt }),
        ...(binding ? { binding } : {}),
        ...(tokens.scope ? { scopes: tokens.scope } : {}),
      });
      if (tokens.expiresAt !== undefined) this.#scheduler.planExpiry(id, tokens.expiresAt);
      return this.#view(updated);
    });
  }

  /** Keeps a refresh token to revoke later (in the keychain only); false when it cannot be kept. */
  async #oweRevocation(record: SessionRecord, refreshToken: string): Promise<boolean> {
    const account = `revoke.${record.id}`;
    try {
      await this.#deps.secrets.set(account, this.#secretFor(record, refreshToken));
    } catch {
      return false; // the keychain cannot hold it: nothing is written anywhere else
    }
    await this.#updateIndex((doc) => ({
      ...doc,
      revocations: [...doc.revocations.filter((r) => r.account !== account), { account, issuer: record.issuer, clientId: record.clientId, allowHttpLoopback: record.allowHttpLoopback, since: this.#deps.now() }],
    }));
    return true;
  }
}

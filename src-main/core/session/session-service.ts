/**
 * The session service: sign-in into sessions (several profiles and accounts at once), the tokens a front
 * may use (from this process, the token cache, or a refresh), userinfo, introspection, revocation and
 * sign-out, and change events for every front. Refresh coordination, grants and the revocation queue are
 * modules of their own; this one composes them.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type {
  ClientCredentialView, ErrorView, IntrospectionView, JwtInspection, KeychainView, SessionEvent, SessionView, TokenValue, UserinfoView,
} from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import { reportAt } from '../oauth/jwt-report.ts';
import { ProviderDirectory } from '../oauth/provider-context.ts';
import { introspectToken, revokeToken } from '../oauth/revocation.ts';
import { SignInEngine, type SignInOptions, type StartedSignIn } from '../oauth/sign-in.ts';
import { compareClaims, fetchUserinfo } from '../oauth/userinfo.ts';
import type { Profile } from '../profile.ts';
import { checkDataDir } from '../store/data-dir.ts';
import { ProfileStore } from '../store/profiles.ts';
import { corruptCopiesProblem } from '../store/startup-problems.ts';
import { sessionIndexStore, type SessionIndexDoc } from '../store/session-index.ts';
import type { ClientKeyAlg } from '../oauth/client-auth.ts';
import { clientAuthOf, clientCredentialView, generateClientKeyPair, readClientCredential, releaseClientCredential, setClientSecret, usesClientEntry } from './client-credentials.ts';
import { signInDirect, type PasswordCredentials } from './direct-sign-in.ts';
import { signInWithSessionToken } from './session-token-sign-in.ts';
import { dpopOf } from './dpop-session.ts';
import { accessTokenOf, cachedUnderClient, implicitCacheKey } from './front-channel-sessions.ts';
import { startDeviceSignIn, type DeviceSignInOptions, type StartedDeviceSignIn } from './device-sign-in.ts';
import { heldTokens, readGrant } from './grants.ts';
import { watchIndex } from './index-watch.ts';
import { inspectPastedJwt } from './inspection.ts';
import { Refresher, refreshFailingError } from './refresh.ts';
import { retryRevocations, revokeAll, revokeUnclaimed, type RevocationResult, type RevocationRetry } from './revocations.ts';
import { REFRESH_LEAD_MS, RefreshScheduler } from './scheduler.ts';
import { SessionState, type Grant, type SessionServiceDeps } from './session-state.ts';
import { storeSignIn } from './store-session.ts';
import { TokenCache, type HeldTokens, type TokenBinding } from './token-cache.ts';

export type { SessionServiceDeps } from './session-state.ts';
export type { RevocationRetry } from './revocations.ts';

/** What a sign-out did. */
export interface SignOutResult extends RevocationResult {
  /** Revocations owed from earlier sign-outs, tried once more with this one: still waiting, or not sendable. */
  earlierRevocations?: RevocationRetry;
  /** RP-initiated logout, when asked for: open `url` in the system browser; `result` settles when it comes back. */
  endSession?: { flowId: string; url: string; result: Promise<void> };
}

/** How often owed revocations are retried while the scheduler runs. */
export const REVOCATION_RETRY_MS = 5 * 60_000;

/** Access tokens closer than this to expiry are refreshed before use (documented for `oidc-desk token`). */
export const MIN_ACCESS_TOKEN_VALIDITY_S = 60;

/** The session service. Create it with {@link SessionService.open}. */
export class SessionService {
  readonly profiles: ProfileStore;
  readonly engine: SignInEngine;
  readonly providers: ProviderDirectory;
  readonly #state: SessionState;
  readonly #refresher: Refresher;
  readonly #scheduler: RefreshScheduler;
  #revocationTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(deps: SessionServiceDeps, doc: SessionIndexDoc) {
    this.providers = new ProviderDirectory(deps.fetch, { now: deps.now });
    this.#state = new SessionState(deps, sessionIndexStore(deps.dataDir, deps.now), doc, new TokenCache(deps.dataDir), this.providers);
    this.#refresher = new Refresher(this.#state);
    this.profiles = new ProfileStore(deps.dataDir, deps.now);
    this.engine = new SignInEngine({
      fetch: deps.fetch,
      now: deps.now,
      providers: this.providers,
      ...(deps.flowTtlMs === undefined ? {} : { flowTtlMs: deps.flowTtlMs }),
      onUnclaimed: (result) => void revokeUnclaimed(this.#state, result),
    });
    this.#scheduler = new RefreshScheduler({
      now: deps.now,
      random: deps.random ?? Math.random,
      // Another process may have refreshed meanwhile: its token is taken from the cache instead.
      refresh: (id) => this.#refresher.shared(id, { seenAt: this.#state.live.get(id)?.tokens?.receivedAt ?? 0, minValidityMs: REFRESH_LEAD_MS }).then(() => undefined, (error: unknown) => {
        // Signed out meanwhile (perhaps by another process): nothing left to refresh.
        if (isDeskError(error, 'SESSION_NOT_FOUND')) this.#scheduler.cancel(id);
      }),
    });
    this.#state.scheduler = this.#scheduler;
  }

  /**
   * A problem found at start-up that the user must see, on every start while it lasts (a corrupt index
   * or profiles file kept aside). A newer index is not opened at all (`open` rejects).
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
    const service = new SessionService(deps, doc);
    // Read now so that a corrupt profiles file is set aside and reported at start, not at first use.
    await service.profiles.list().catch((error: unknown) => {
      if (!isDeskError(error, 'INDEX_CORRUPT') && !isDeskError(error, 'INDEX_NEWER_VERSION')) throw error;
    });
    service.startupProblem = (await corruptCopiesProblem(deps.dataDir))?.toJSON();
    return service;
  }

  /** The data directory this service works in. */
  get dataDir(): string {
    return this.#state.deps.dataDir;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    return this.#state.subscribe(listener);
  }

  /** The keychain state (probed once, then after each keychain failure). */
  keychain(): Promise<KeychainView> {
    return this.#state.keychain();
  }

  /** Every session, newest first. */
  list(): SessionView[] {
    return [...this.#state.doc.sessions].sort((a, b) => b.createdAt - a.createdAt).map((r) => this.#state.view(r));
  }

  /** One session's view, or SESSION_NOT_FOUND. */
  view(id: unknown): SessionView {
    return this.#state.view(this.#state.record(id));
  }

  /** Re-reads the index (another process may have changed it). */
  reload(): Promise<void> {
    return this.#state.reload();
  }

  /**
   * Watches the data directory for index changes made by other processes (the CLI signing in or out
   * while the desktop app runs) and announces them as session events. Returns the stop function.
   */
  watchIndex(): () => void {
    return watchIndex(this.#state);
  }

  /**
   * Starts a sign-in for a profile. `session` resolves when the callback arrived and every token
   * check passed, and the new session is stored.
   */
  async signIn(profile: Profile, options: SignInOptions = {}): Promise<{ started: StartedSignIn; session: Promise<SessionView> }> {
    const started = await this.engine.start(profile, options);
    // An implicit session has no refresh token: its tokens are cached under its client's keychain entry.
    const session = started.result.then(async (result) => storeSignIn(this.#state, result, await implicitCacheKey(this.#state, result.profile)));
    session.catch(() => undefined);
    return { started, session };
  }

  /** Signs in without a browser (client credentials; password or Okta session token with the account's credentials, used once). */
  signInDirect(profile: Profile, flowId: string, credentials?: PasswordCredentials): Promise<SessionView> {
    if (profile.flow === 'okta_session_token') return signInWithSessionToken(this.#state, profile, flowId, credentials);
    return signInDirect(this.#state, profile, flowId, credentials);
  }

  /** Starts a device authorization grant sign-in (RFC 8628): answers with the code to enter on another device; `session` settles when the polling ends. */
  signInDevice(profile: Profile, options: DeviceSignInOptions): Promise<StartedDeviceSignIn> {
    return startDeviceSignIn(this.#state, profile, options);
  }

  /** The clock of this service (ms since the epoch). */
  now(): number {
    return this.#state.now();
  }

  /** What fronts may know of the profile's client credential (never the secret). */
  clientCredential(profile: Profile): Promise<ClientCredentialView> {
    return clientCredentialView(this.#state, profile);
  }

  /**
   * Deletes a client's keychain entry once nothing uses it: no profile of `profiles` names that client and
   * no session of it needs the entry. True when one was deleted.
   */
  releaseClient(binding: TokenBinding, profiles: readonly Profile[]): Promise<boolean> {
    return releaseClientCredential(this.#state, profiles, binding);
  }

  /** The client a session needs the keychain entry of (its secret, or its token cache key); undefined for a session that needs none. */
  clientEntryOf(id: unknown): TokenBinding | undefined {
    const record = this.#state.record(id);
    return usesClientEntry(record) ? { issuer: record.issuer, clientId: record.clientId } : undefined;
  }

  /** Sets the profile's client secret in the keychain (bound to its issuer and client). */
  setClientSecret(profile: Profile, secret: string): Promise<ClientCredentialView> {
    return setClientSecret(this.#state, profile, secret);
  }

  /** A new private_key_jwt key pair for the profile's client; the view holds its public JWK. */
  generateClientKey(profile: Profile, alg: ClientKeyAlg): Promise<ClientCredentialView> {
    return generateClientKeyPair(this.#state, profile, alg);
  }

  /**
   * Refreshes a session now (an explicit action: also a session whose refresh is failing is tried once
   * more). Any number of concurrent calls share one token request.
   */
  async refresh(id: unknown): Promise<SessionView> {
    return this.#refresher.shared(this.#state.record(id).id, undefined);
  }

  /**
   * An access token valid for at least `minValiditySeconds`: the one this process holds, else the token
   * cache (no network request, no discovery, no keychain write), else a refresh. A session whose refresh
   * is failing is not refreshed here (`REFRESH_FAILING`): only an explicit refresh tries again.
   */
  async accessToken(id: unknown, minValiditySeconds = MIN_ACCESS_TOKEN_VALIDITY_S): Promise<string> {
    const state = this.#state;
    // Another process may have signed out or replaced the session: answer from the index as it is now.
    await state.reload();
    const record = state.record(id);
    const minValidityMs = minValiditySeconds * 1000;
    const held = await heldTokens(state, record);
    if (held !== undefined && (held.accessToken === undefined || state.validFor(held, minValidityMs))) return accessTokenOf(held);
    if (record.refreshFailure !== undefined) throw refreshFailingError(record);
    await this.#refresher.shared(record.id, { seenAt: held?.receivedAt ?? 0, minValidityMs });
    const fresh = state.live.get(record.id)?.tokens;
    if (!fresh) throw new DeskError('INTERNAL', 'The refresh gave no access token.');
    return accessTokenOf(fresh);
  }

  /**
   * The session's ID token: the one this process or the token cache holds, else after a refresh. An
   * expired one is refreshed once; a refresh that brings none keeps the sign-in's (OIDC Core §12.2).
   */
  async idToken(id: unknown): Promise<string> {
    const state = this.#state;
    await state.reload();
    const record = state.record(id);
    let held = await heldTokens(state, record);
    const exp = held?.idTokenClaims?.exp;
    const expired = typeof exp === 'number' && exp * 1000 <= state.now();
    if ((held === undefined || expired) && record.refreshFailure === undefined) {
      // No ID token here, or an expired one: one refresh (shared with any other caller) may bring a new one.
      await this.#refresher.shared(record.id, { seenAt: held?.receivedAt ?? 0, minValidityMs: 0 }).catch((error: unknown) => {
        if (held === undefined) throw error;
      });
      held = state.live.get(record.id)?.tokens;
    } else if (held === undefined) {
      throw refreshFailingError(record);
    }
    if (held?.idToken !== undefined) return held.idToken;
    if (record.binding !== undefined) {
      throw new DeskError('ID_TOKEN_UNAVAILABLE', 'The ID token from the sign-in is no longer kept on this computer (its token cache was removed), and the provider sends none with a refresh. Sign in again to get one.');
    }
    throw new DeskError('NO_ID_TOKEN', 'This session has no ID token: the provider sent none at sign-in (request the "openid" scope to get one).');
  }

  /** The verification report of the session's ID token (as verified on receipt, its time checks made now), claims masked. */
  async inspect(id: unknown): Promise<JwtInspection> {
    const state = this.#state;
    const record = state.record(id);
    await this.idToken(record.id);
    const view = state.view(state.record(record.id));
    const held = state.live.get(record.id)?.tokens;
    const report = view.idToken?.report;
    if (report === undefined || report.kind !== 'jwt' || held === undefined) throw new DeskError('JWT_MALFORMED', 'The session\'s ID token has no verification report.');
    const now = reportAt(report, { now: state.deps.now, receivedAt: held.idTokenReceivedAt ?? held.receivedAt, clockOffsetMs: held.clockOffsetMs });
    return { source: 'session', sessionId: view.id, subject: view.subject, profile: view.profile, issuer: view.issuer, report: now };
  }

  /** The verification report of any JWT, checked against the profile of its issuer (see {@link inspectPastedJwt}). */
  async inspectPasted(token: string): Promise<JwtInspection> {
    return inspectPastedJwt(token, { profiles: await this.profiles.list(), providers: this.providers, now: this.#state.deps.now });
  }

  /**
   * One access token (valid for at least `minValiditySeconds`) or the ID token in full: an explicit user
   * action. There is no way to reveal a refresh token.
   */
  async reveal(id: unknown, type: 'access' | 'id', minValiditySeconds = MIN_ACCESS_TOKEN_VALIDITY_S): Promise<TokenValue> {
    const state = this.#state;
    const record = state.record(id);
    if (type === 'access') {
      const value = await this.accessToken(record.id, minValiditySeconds);
      return { sessionId: record.id, type, value, expiresAt: state.live.get(record.id)?.tokens?.expiresAt };
    }
    const value = await this.idToken(record.id);
    const exp = state.live.get(record.id)?.tokens?.idTokenClaims?.exp;
    return { sessionId: record.id, type, value, expiresAt: typeof exp === 'number' ? exp * 1000 : undefined };
  }

  /**
   * Revokes one of the session's tokens at the provider it was issued by (RFC 7009). Revoking the access
   * token drops it here too (the next use refreshes); revoking the refresh token ends the grant: it is
   * removed from the keychain and the session needs a new sign-in.
   */
  async revoke(id: unknown, which: 'access' | 'refresh'): Promise<SessionView> {
    const state = this.#state;
    const record = state.record(id);
    const session = { sessionId: record.id };
    if (which === 'access') {
      const held = await heldTokens(state, record);
      if (held === undefined) throw new DeskError('SIGN_IN_NEEDED', 'This process holds no access token of that session to revoke.');
      await state.beforeSend(held.boundTo);
      const ctx = await state.providerOf(held.boundTo, record.allowHttpLoopback, session);
      await revokeToken(ctx, accessTokenOf(held), 'access_token', await clientAuthOf(state, held.boundTo, record.clientAuth));
      const expired: HeldTokens = { ...held, expiresAt: state.now() };
      state.liveOf(record.id).tokens = expired;
      const key = record.hasRefreshToken ? (await readGrant(state, record)).cacheKey : cachedUnderClient(record) ? (await readClientCredential(state, record))?.cacheKey : undefined;
      if (key !== undefined) await state.cache.write(record.id, key, expired);
      const view = state.view(await state.patchRecord(record.id, (r) => ({ ...r, accessTokenExpiresAt: expired.expiresAt ?? 0 })));
      state.emit({ type: 'session-updated', session: view });
      return view;
    }
    return state.withSessionLock(record.id, async () => {
      await state.reload();
      const current = state.record(record.id);
      const grant = await readGrant(state, current);
      await state.beforeSend(grant);
      const ctx = await state.providerOf(grant, current.allowHttpLoopback, session);
      // A confidential client authenticates its revocation as it does its refresh (RFC 7009 §2.1).
      await revokeToken(ctx, grant.refreshToken, 'refresh_token', await clientAuthOf(state, grant, current.clientAuth));
      if (current.hasRefreshToken) await state.deps.secrets.delete(current.id);
      const live = state.liveOf(current.id);
      live.memoryGrant = undefined;
      live.tokens = undefined;
      await state.markSignInNeeded(current.id, new DeskError('SIGN_IN_NEEDED', 'The refresh token was revoked at your request; sign in again to use this session.'));
      const view = state.view(state.record(current.id));
      state.emit({ type: 'session-updated', session: view });
      return view;
    });
  }

  /**
   * Userinfo with the Bearer header, or DPoP with a proof of the session's key; `sub` must equal the
   * session's. On `401 invalid_token` the access token is refreshed once and the call retried once.
   */
  async userinfo(id: unknown): Promise<UserinfoView> {
    const state = this.#state;
    const record = state.record(id);
    // The token first: its binding to this provider is checked before anything is sent there.
    const accessToken = await this.accessToken(record.id);
    // A DPoP-bound token goes only with a proof of its key: without the key nothing is sent.
    const dpop = await dpopOf(state, record);
    await state.beforeSend(record);
    const ctx = await state.provider(record, { sessionId: record.id });
    let claims: Record<string, unknown>;
    try {
      claims = await fetchUserinfo(ctx, accessToken, record.subject, dpop);
    } catch (error) {
      if (!isDeskError(error, 'ACCESS_TOKEN_REJECTED')) throw error;
      await this.refresh(record.id);
      claims = await fetchUserinfo(ctx, await this.accessToken(record.id), record.subject, await dpopOf(state, record));
    }
    const idClaims = state.live.get(record.id)?.tokens?.idTokenClaims ?? { sub: record.subject };
    return { sessionId: record.id, claims, comparison: compareClaims(claims, idClaims) };
  }

  /** RFC 7662 introspection of the session's access or refresh token. */
  async introspect(id: unknown, which: unknown = 'access'): Promise<IntrospectionView> {
    const state = this.#state;
    const record = state.record(id);
    if (which !== 'access' && which !== 'refresh') throw new DeskError('USAGE', 'Introspect the access or the refresh token.');
    const token = which === 'access' ? await this.accessToken(record.id) : (await readGrant(state, record)).refreshToken;
    await state.beforeSend(record);
    const ctx = await state.provider(record, { sessionId: record.id });
    const result = await introspectToken(ctx, token, which === 'access' ? 'access_token' : 'refresh_token', await clientAuthOf(state, record, record.clientAuth));
    return { sessionId: record.id, token: which, ...result };
  }

  /**
   * Signs out: deletes the keychain entry and the cached tokens first, forgets the session, then revokes
   * the refresh and access tokens (RFC 7009), each only at the provider and client it was issued for. A
   * revocation that fails on the network is kept and retried later; one the provider refuses is reported
   * (the token may still be valid there). The local sign-out is complete either way. With `endSession`,
   * also starts RP-initiated logout: open `endSession.url` in the system browser.
   */
  async signOut(id: unknown, options: { revoke?: boolean; endSession?: boolean } = {}): Promise<SignOutResult> {
    const state = this.#state;
    const record = state.record(id);
    const live = state.liveOf(record.id);
    let keychainProblem: DeskError | undefined;
    // Under the session's lock: a refresh in any process finishes first, so the tokens read here are
    // the latest ones and no rotated token is written back after the entry is gone.
    const { current, grant, held } = await state.withSessionLock(record.id, async () => {
      // Decide on the index as it is now: a copy read earlier may have named another provider.
      await state.reload();
      const now = state.doc.sessions.find((s) => s.id === record.id) ?? record;
      let found: Grant | undefined;
      let tokens: HeldTokens | undefined;
      try {
        // A client credentials session has no grant to read: its token is in the cache under its client's key.
        if (!cachedUnderClient(now)) found = await readGrant(state, now, { markMissing: false });
        tokens = await heldTokens(state, now, found);
      } catch (error) {
        if (isDeskError(error, 'SESSION_BINDING_MISMATCH') || (isDeskError(error) && error.category === 'keychain')) keychainProblem = error;
      }
      if (now.hasRefreshToken) await state.deps.secrets.delete(record.id);
      await state.cache.remove(record.id);
      await state.updateIndex((doc) => ({ ...doc, sessions: doc.sessions.filter((s) => s.id !== record.id) }));
      return { current: now, grant: found, held: tokens ?? live.tokens };
    });
    state.live.delete(record.id);
    this.#scheduler.cancel(record.id);
    state.emit({ type: 'session-removed', sessionId: record.id });
    // Tokens go only where their own binding says: the grant's (from the keychain), the held tokens'.
    const owner: TokenBinding | undefined = grant ?? (cachedUnderClient(current) ? current : undefined);
    const access = held !== undefined && owner !== undefined && held.boundTo.issuer === owner.issuer && held.boundTo.clientId === owner.clientId ? held : undefined;
    const result: SignOutResult = { revoked: false, revocationPending: false, tokens: { refresh: 'none', access: 'none' } };
    if (keychainProblem !== undefined) {
      // The entry could not be read (a mismatch, a newer format, a keychain failure): it was not revoked.
      result.tokens.refresh = 'refused';
      result.revocationError = keychainProblem.toJSON();
    }
    if (options.revoke !== false) {
      await revokeAll(state, current, grant, access?.accessToken, result);
      if (!result.revocationPending) {
        const earlier = await this.retryRevocations();
        if (earlier.pending > 0 || earlier.problems.length > 0) result.earlierRevocations = earlier;
      }
    }
    if (options.endSession === true) result.endSession = { flowId: randomUUID(), ...this.engine.startEndSession(await state.provider(current, undefined), access?.idToken) };
    return result;
  }

  /**
   * Retries revocations that failed on the network, each only at the provider and client its keychain
   * secret was issued for: an index entry naming another one is reported and nothing is sent.
   */
  async retryRevocations(): Promise<RevocationRetry> {
    const { settledClients, ...retry } = await retryRevocations(this.#state);
    // A confidential client kept its keychain entry for the revocation: now done, the entry goes once nothing else needs it.
    if (settledClients.length > 0) {
      const profiles = await this.profiles.list();
      for (const client of settledClients) await releaseClientCredential(this.#state, profiles, client).catch(() => false);
    }
    return retry;
  }

  /** When the scheduler will next refresh a session, and after how many failed attempts. */
  nextRefresh(id: unknown): { at: number; attempt: number } | undefined {
    return this.#scheduler.nextAt(this.#state.record(id).id);
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
    for (const [id, live] of this.#state.live) if (live.tokens?.expiresAt !== undefined) this.#scheduler.planExpiry(id, live.tokens.expiresAt);
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
}

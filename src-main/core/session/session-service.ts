/**
 * The session service: sign-in into sessions, several profiles and accounts at once, refresh tokens
 * kept only in the secret store, single-flight refresh with rotation, userinfo, introspection,
 * revocation and sign-out, and change events for every front.
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type {
  ErrorView, IntrospectionView, JwtInspection, KeychainView, RevocationOutcome, SessionEvent, SessionView, TokenValue, UserinfoView,
} from '../contract.ts';
import { DeskError, isDeskError, type ErrorCode } from '../errors.ts';
import { replaceSecrets } from '../http/redact.ts';
import type { FetchLike } from '../http/client.ts';
import { checkRefreshedIdToken } from '../oauth/id-token.ts';
import { reportAt } from '../oauth/jwt-report.ts';
import { ProviderDirectory, type ProviderContext } from '../oauth/provider-context.ts';
import { introspectToken, revokeToken } from '../oauth/revocation.ts';
import { SignInEngine, type SignInOptions, type SignInResult, type StartedSignIn } from '../oauth/sign-in.ts';
import { refreshTokens, type TokenSet } from '../oauth/tokens.ts';
import { compareClaims, fetchUserinfo } from '../oauth/userinfo.ts';
import type { Profile } from '../profile.ts';
import { checkDataDir } from '../store/data-dir.ts';
import { withFileLock } from '../store/file-lock.ts';
import { ProfileStore } from '../store/profiles.ts';
import type { SecretStore, StoredSecret } from '../store/secret-store.ts';
import { corruptCopiesProblem } from '../store/startup-problems.ts';
import { sessionIndexStore, type OwedRevocation, type SessionIndexDoc, type SessionRecord } from '../store/session-index.ts';
import type { VersionedStore } from '../store/versioned-store.ts';
import { assertBoundTo, bindingOf, displayNameOf, identityOf } from './bindings.ts';
import { REFRESH_LEAD_MS, RefreshScheduler } from './scheduler.ts';
import { inspectPastedJwt } from './inspection.ts';
import { TokenCache, newCacheKey, type HeldTokens, type TokenBinding } from './token-cache.ts';
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
  /**
   * Called before any request that carries a token (refresh, userinfo, introspection, revocation, logout)
   * with the provider and client it goes to; throws to send nothing. The demo provider's front uses it to
   * make sure the provider at that address is really its own.
   */
  readonly beforeSend?: (target: TokenBinding) => Promise<void>;
}

/** What a sign-out did. */
export interface SignOutResult {
  /** Every token there was got revoked at the provider. */
  revoked: boolean;
  /** Revocation failed on the network; the token waits in the keychain and is retried later. */
  revocationPending: boolean;
  /** Each token's outcome. */
  readonly tokens: { refresh: RevocationOutcome; access: RevocationOutcome };
  /**
   * Why a revocation was refused (or not sent): the local sign-out is complete anyway, but the token
   * may still be valid at the provider until it expires.
   */
  revocationError?: ErrorView;
  /** Revocations owed from earlier sign-outs, tried once more with this one: still waiting, or not sendable. */
  earlierRevocations?: RevocationRetry;
  /** RP-initiated logout, when asked for: open `url` in the system browser; `result` settles when it comes back. */
  endSession?: { flowId: string; url: string; result: Promise<void> };
}

/** The owed revocations still waiting after a retry, and the ones that cannot be sent at all. */
export interface RevocationRetry {
  readonly pending: number;
  /** Entries whose keychain secret names another provider or client than the index: nothing was sent. */
  readonly problems: readonly ErrorView[];
}

/** How often owed revocations are retried while the scheduler runs. */
export const REVOCATION_RETRY_MS = 5 * 60_000;

/** How long an access token without `expires_in` is used before a refresh (it may have expired long ago). */
const UNSTATED_EXPIRY_MS = 5 * 60_000;

/** Access tokens closer than this to expiry are refreshed before use (documented for `oidc-desk token`). */
export const MIN_ACCESS_TOKEN_VALIDITY_S = 60;

/** A refresh token and the provider and client it was issued for, as read from the keychain (or memory). */
interface Grant extends TokenBinding {
  readonly refreshToken: string;
  /** The token cache key of the keychain entry (absent in session-only mode and in old entries). */
  readonly cacheKey?: string | undefined;
}

interface Live {
  /** The access and ID tokens this process holds. */
  tokens?: HeldTokens | undefined;
  /** Session-only mode: the grant when the keychain could not take it. */
  memoryGrant?: Grant | undefined;
  inflight?: Promise<SessionView> | undefined;
  lastError?: DeskError | undefined;
}

/** When a refresh may be skipped: another process refreshed after `seenAt` and left a token valid for `minValidityMs`. */
interface Reuse {
  readonly seenAt: number;
  readonly minValidityMs: number;
}

/**
 * Refresh failures on an answer of the provider that retrying will not change (not the network, not the
 * keychain, not `invalid_grant`): the session is marked as failing and nothing retries it on its own.
 */
const STUCK_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'TOKEN_ENDPOINT_REFUSED', 'TOKEN_ERROR', 'INVALID_CLIENT', 'TOKEN_RESPONSE_INVALID', 'HTTP_REDIRECT', 'HTTP_BODY_TOO_LARGE',
  'ID_TOKEN_INVALID', 'ID_TOKEN_SIGNATURE_INVALID', 'ID_TOKEN_ALG_NOT_ALLOWED', 'ID_TOKEN_KEY_NOT_FOUND', 'ID_TOKEN_CLAIMS_CHANGED', 'JWT_MALFORMED',
  'DISCOVERY_FAILED', 'DISCOVERY_ISSUER_MISMATCH', 'ENDPOINT_NOT_SUPPORTED',
]);

/** The same error with the `secrets` that were sent masked wherever it might repeat them. */
function maskedError(error: DeskError, secrets: readonly string[]): DeskError {
  return new DeskError(error.code, replaceSecrets(error.message, secrets), {
    cause: error,
    ...(error.oauthError === undefined ? {} : { oauthError: replaceSecrets(error.oauthError, secrets) }),
    ...(error.oauthErrorDescription === undefined ? {} : { oauthErrorDescription: replaceSecrets(error.oauthErrorDescription, secrets) }),
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}

function refreshFailingError(record: SessionRecord): DeskError {
  const f = record.refreshFailure;
  return new DeskError('REFRESH_FAILING', `Refreshing this session fails${f ? ` (${f.code}${f.status === undefined ? '' : `, HTTP ${f.status}`}: ${f.message})` : ''}. Refresh it explicitly to try again, or sign in again to replace it.`, f?.status === undefined ? {} : { status: f.status });
}

/** The session service. Create it with {@link SessionService.open}. */
export class SessionService {
  readonly profiles: ProfileStore;
  readonly engine: SignInEngine;
  readonly providers: ProviderDirectory;
  readonly #deps: SessionServiceDeps;
  readonly #index: VersionedStore<SessionIndexDoc>;
  readonly #cache: TokenCache;
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
    this.#cache = new TokenCache(deps.dataDir);
    this.profiles = new ProfileStore(deps.dataDir, deps.now);
    this.providers = new ProviderDirectory(deps.fetch);
    this.engine = new SignInEngine({ fetch: deps.fetch, now: deps.now, providers: this.providers, ...(deps.flowTtlMs === undefined ? {} : { flowTtlMs: deps.flowTtlMs }) });
    this.#scheduler = new RefreshScheduler({
      now: deps.now,
      random: deps.random ?? Math.random,
      // Another process may have refreshed meanwhile: its token is taken from the cache instead.
      refresh: (id) => this.#refreshShared(id, { seenAt: this.#live.get(id)?.tokens?.receivedAt ?? 0, minValidityMs: REFRESH_LEAD_MS }).then(() => undefined, (error: unknown) => {
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
   * Watches the data directory for index changes made by other processes (the CLI signing in or out
   * while the desktop app runs) and announces them as session events. Returns the stop function.
   */
  watchIndex(): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let watcher: FSWatcher;
    try {
      watcher = watch(this.#deps.dataDir, { persistent: false }, (_event, name) => {
        if (name !== 'sessions.json') return;
        clearTimeout(timer);
        // An atomic write is a burst of events: look once it settled.
        timer = setTimeout(() => void this.#syncFromDisk(), 50);
      });
    } catch {
      return () => undefined; // no watching on this file system: fronts still see changes on their next action
    }
    watcher.on('error', () => undefined);
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }

  /** Re-reads the index and announces what another process added, changed or removed. */
  async #syncFromDisk(): Promise<void> {
    const before = new Map(this.#doc.sessions.map((r) => [r.id, r]));
    try {
      await this.reload();
    } catch {
      return; // a damaged index is reported at the next start; the view stays as it was
    }
    for (const record of this.#doc.sessions) {
      const old = before.get(record.id);
      before.delete(record.id);
      if (old === undefined) this.#emit({ type: 'session-added', session: this.#view(record) });
      else if (JSON.stringify(old) !== JSON.stringify(record)) this.#emit({ type: 'session-updated', session: this.#view(record) });
    }
    for (const id of before.keys()) {
      this.#live.delete(id);
      this.#scheduler.cancel(id);
      this.#emit({ type: 'session-removed', sessionId: id });
    }
  }

  /**
   * Starts a sign-in for a profile. `session` resolves when the callback arrived and every token
   * check passed, and the new session is stored.
   */
  async signIn(profile: Profile, options: SignInOptions = {}): Promise<{ started: StartedSignIn; session: Promise<SessionView> }> {
    const started = await this.engine.start(profile, options);
    const session = started.result.then((result) => this.#createSession(result));
    session.catch(() => undefined);
    return { started, session };
  }

  /**
   * Refreshes a session now (an explicit action: also a session whose refresh is failing is tried once
   * more). Any number of concurrent calls share one token request.
   */
  async refresh(id: unknown): Promise<SessionView> {
    return this.#refreshShared(this.#record(id).id, undefined);
  }

  /**
   * An access token valid for at least `minValiditySeconds`: the one this process holds, else the token
   * cache (no network request, no discovery, no keychain write), else a refresh. A session whose refresh
   * is failing is not refreshed here (`REFRESH_FAILING`): only an explicit refresh tries again.
   */
  async accessToken(id: unknown, minValiditySeconds = MIN_ACCESS_TOKEN_VALIDITY_S): Promise<string> {
    // Another process may have signed out or replaced the session: answer from the index as it is now.
    await this.reload();
    const record = this.#record(id);
    const minValidityMs = minValiditySeconds * 1000;
    const held = await this.#held(record);
    if (held !== undefined && this.#validFor(held, minValidityMs)) return held.accessToken;
    if (record.refreshFailure !== undefined) throw refreshFailingError(record);
    await this.#refreshShared(record.id, { seenAt: held?.receivedAt ?? 0, minValidityMs });
    const fresh = this.#live.get(record.id)?.tokens;
    if (!fresh) throw new DeskError('INTERNAL', 'The refresh gave no access token.');
    return fresh.accessToken;
  }

  /**
   * The session's ID token: the one this process or the token cache holds, else after a refresh. A
   * refresh that brings none keeps the sign-in's (OIDC Core §12.2 allows that).
   */
  async idToken(id: unknown): Promise<string> {
    await this.reload();
    const record = this.#record(id);
    let held = await this.#held(record);
    const exp = held?.idTokenClaims?.exp;
    const expired = typeof exp === 'number' && exp * 1000 <= this.#deps.now();
    if ((held === undefined || expired) && record.refreshFailure === undefined) {
      // No ID token here, or an expired one: one refresh (shared with any other caller) may bring a new one.
      await this.#refreshShared(record.id, { seenAt: held?.receivedAt ?? 0, minValidityMs: 0 }).catch((error: unknown) => {
        if (held === undefined) throw error;
      });
      held = this.#live.get(record.id)?.tokens;
    } else if (held === undefined) {
      throw refreshFailingError(record);
    }
    if (held?.idToken !== undefined) return held.idToken;
    if (record.binding !== undefined) {
      throw new DeskError('ID_TOKEN_UNAVAILABLE', 'The ID token from the sign-in is no longer kept on this computer (its token cache was removed), and the provider sends none with a refresh. Sign in again to get one.');
    }
    throw new DeskError('NO_ID_TOKEN', 'This session has no ID token: the provider sent none at sign-in (request the "openid" scope to get one).');
  }

  /** The verification report of the session's ID token (as verified on receipt), claims masked. */
  async inspect(id: unknown): Promise<JwtInspection> {
    const record = this.#record(id);
    await this.idToken(record.id);
    const view = this.#view(this.#record(record.id));
    const held = this.#live.get(record.id)?.tokens;
    const report = view.idToken?.report;
    if (report === undefined || report.kind !== 'jwt' || held === undefined) throw new DeskError('JWT_MALFORMED', 'The session\'s ID token has no verification report.');
    // The report as verified on receipt, its time checks made again now.
    const now = reportAt(report, { now: this.#deps.now, receivedAt: held.idTokenReceivedAt ?? held.receivedAt, clockOffsetMs: held.clockOffsetMs });
    return { source: 'session', sessionId: view.id, subject: view.subject, profile: view.profile, issuer: view.issuer, report: now };
  }

  /** The verification report of any JWT, checked against the profile of its issuer (see {@link inspectPastedJwt}). */
  async inspectPasted(token: string): Promise<JwtInspection> {
    return inspectPastedJwt(token, { profiles: await this.profiles.list(), providers: this.providers, now: this.#deps.now });
  }

  /**
   * One access token (valid for at least `minValiditySeconds`) or the ID token in full: an explicit user
   * action. There is no way to reveal a refresh token.
   */
  async reveal(id: unknown, type: 'access' | 'id', minValiditySeconds = MIN_ACCESS_TOKEN_VALIDITY_S): Promise<TokenValue> {
    const record = this.#record(id);
    if (type === 'access') {
      const value = await this.accessToken(record.id, minValiditySeconds);
      return { sessionId: record.id, type, value, expiresAt: this.#live.get(record.id)?.tokens?.expiresAt };
    }
    const value = await this.idToken(record.id);
    const exp = this.#live.get(record.id)?.tokens?.idTokenClaims?.exp;
    return { sessionId: record.id, type, value, expiresAt: typeof exp === 'number' ? exp * 1000 : undefined };
  }

  /**
   * Revokes one of the session's tokens at the provider it was issued by (RFC 7009). Revoking the access
   * token drops it here too (the next use refreshes); revoking the refresh token ends the grant: it is
   * removed from the keychain and the session needs a new sign-in.
   */
  async revoke(id: unknown, which: 'access' | 'refresh'): Promise<SessionView> {
    const record = this.#record(id);
    if (which === 'access') {
      const held = await this.#held(record);
      if (held === undefined) throw new DeskError('SIGN_IN_NEEDED', 'This process holds no access token of that session to revoke.');
      const ctx = await this.#providerOf(held.boundTo, record.allowHttpLoopback);
      await this.#beforeSend(held.boundTo);
      await revokeToken(ctx, held.accessToken, 'access_token');
      const live = this.#liveOf(record.id);
      const expired: HeldTokens = { ...held, expiresAt: this.#deps.now() };
      live.tokens = expired;
      const key = record.hasRefreshToken ? (await this.#grant(record)).cacheKey : undefined;
      if (key !== undefined) await this.#cache.write(record.id, key, expired);
      return this.#view(await this.#patchRecord(record.id, (r) => ({ ...r, accessTokenExpiresAt: expired.expiresAt ?? 0 })));
    }
    return this.#withSessionLock(record.id, async () => {
      await this.reload();
      const current = this.#record(record.id);
      const grant = await this.#grant(current);
      const ctx = await this.#providerOf(grant, current.allowHttpLoopback);
      await this.#beforeSend(grant);
      await revokeToken(ctx, grant.refreshToken, 'refresh_token');
      if (current.hasRefreshToken) await this.#deps.secrets.delete(current.id);
      const live = this.#liveOf(current.id);
      live.memoryGrant = undefined;
      live.tokens = undefined;
      await this.#markSignInNeeded(current.id, new DeskError('SIGN_IN_NEEDED', 'The refresh token was revoked at your request; sign in again to use this session.'));
      return this.#view(this.#record(current.id));
    });
  }

  /**
   * Userinfo with the Bearer header; `sub` must equal the session's. On `401 invalid_token` the
   * access token is refreshed once and the call retried once.
   */
  async userinfo(id: unknown): Promise<UserinfoView> {
    const record = this.#record(id);
    // The token first: its binding to this provider is checked before anything is sent there.
    const accessToken = await this.accessToken(record.id);
    const ctx = await this.#provider(record);
    await this.#beforeSend(record);
    let claims: Record<string, unknown>;
    try {
      claims = await fetchUserinfo(ctx, accessToken, record.subject);
    } catch (error) {
      if (!isDeskError(error, 'ACCESS_TOKEN_REJECTED')) throw error;
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
    const token = which === 'access' ? await this.accessToken(record.id) : (await this.#grant(record)).refreshToken;
    const ctx = await this.#provider(record);
    await this.#beforeSend(record);
    const result = await introspectToken(ctx, token, which === 'access' ? 'access_token' : 'refresh_token');
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
    const record = this.#record(id);
    const live = this.#liveOf(record.id);
    // Under the session's lock: a refresh in any process finishes first, so the tokens read here are
    // the latest ones and no rotated token is written back after the entry is gone.
    let keychainProblem: DeskError | undefined;
    const { current, grant, held } = await this.#withSessionLock(record.id, async () => {
      // Decide on the index as it is now: a copy read earlier may have named another provider.
      await this.reload();
      const now = this.#doc.sessions.find((s) => s.id === record.id) ?? record;
      let found: Grant | undefined;
      let tokens: HeldTokens | undefined;
      try {
        found = await this.#grant(now, { markMissing: false });
        tokens = await this.#held(now, found);
      } catch (error) {
        if (isDeskError(error, 'SESSION_BINDING_MISMATCH') || (isDeskError(error) && error.category === 'keychain')) keychainProblem = error;
      }
      if (now.hasRefreshToken) await this.#deps.secrets.delete(record.id);
      await this.#cache.remove(record.id);
      await this.#updateIndex((doc) => ({ ...doc, sessions: doc.sessions.filter((s) => s.id !== record.id) }));
      return { current: now, grant: found, held: tokens ?? live.tokens };
    });
    this.#live.delete(record.id);
    this.#scheduler.cancel(record.id);
    this.#emit({ type: 'session-removed', sessionId: record.id });
    // Tokens go only where their own binding says: the grant's (from the keychain), the held tokens'.
    const access = held !== undefined && grant !== undefined && held.boundTo.issuer === grant.issuer && held.boundTo.clientId === grant.clientId ? held : undefined;
    const result: SignOutResult = { revoked: false, revocationPending: false, tokens: { refresh: 'none', access: 'none' } };
    if (keychainProblem !== undefined) {
      // The entry could not be read (a mismatch, a newer format, a keychain failure): it was not revoked.
      result.tokens.refresh = 'refused';
      result.revocationError = keychainProblem.toJSON();
    }
    if (options.revoke !== false) {
      await this.#revokeAll(current, grant, access?.accessToken, result);
      if (!result.revocationPending) {
        const earlier = await this.retryRevocations();
        if (earlier.pending > 0 || earlier.problems.length > 0) result.earlierRevocations = earlier;
      }
    }
    if (options.endSession === true) result.endSession = { flowId: randomUUID(), ...this.engine.startEndSession(await this.#provider(current), access?.idToken) };
    return result;
  }

  /**
   * Revokes what a sign-out leaves, each token on its own, at the provider and client of the grant (as the
   * keychain entry names them), and records the outcomes in `result`.
   */
  async #revokeAll(record: SessionRecord, grant: Grant | undefined, accessToken: string | undefined, result: SignOutResult): Promise<void> {
    const work: { which: 'refresh' | 'access'; token: string }[] = [];
    if (grant !== undefined) work.push({ which: 'refresh', token: grant.refreshToken });
    if (accessToken !== undefined) work.push({ which: 'access', token: accessToken });
    if (work.length === 0) return;
    let ctx: ProviderContext | undefined;
    let problem: DeskError | undefined;
    let unreachable = false;
    for (const { which, token } of work) {
      if (unreachable) {
        result.tokens[which] = 'unreachable';
        continue;
      }
      try {
        if (ctx === undefined) {
          ctx = grant === undefined ? await this.#provider(record) : await this.#providerOf(grant, record.allowHttpLoopback);
          await this.#beforeSend(grant ?? record);
        }
        await revokeToken(ctx, token, which === 'refresh' ? 'refresh_token' : 'access_token');
        result.tokens[which] = 'revoked';
      } catch (error) {
        const err = isDeskError(error) ? error : new DeskError('REVOCATION_FAILED', 'Revocation failed.', { cause: error });
        // One wait for an unreachable provider is enough: the other token is not tried after it.
        unreachable = err.category === 'network';
        if (unreachable && which === 'refresh' && grant !== undefined && await this.#oweRevocation(grant, record, token)) {
          result.tokens.refresh = 'pending';
          result.revocationPending = true;
        } else if (unreachable && which === 'access') {
          result.tokens.access = 'unreachable';
        } else {
          result.tokens[which] = 'refused';
          problem ??= err;
        }
      }
    }
    if (problem !== undefined) result.revocationError ??= problem.toJSON();
    result.revoked = work.every(({ which }) => result.tokens[which] === 'revoked');
  }

  /**
   * Retries revocations that failed on the network, each only at the provider and client its keychain
   * secret was issued for: an index entry naming another one is reported and nothing is sent.
   */
  async retryRevocations(): Promise<RevocationRetry> {
    const problems: ErrorView[] = [];
    for (const owed of this.#doc.revocations) {
      try {
        const read = await this.#deps.secrets.get(owed.account);
        if (read.kind === 'unknown') continue;
        if (read.kind === 'found') {
          if (read.secret.issuer !== owed.issuer || read.secret.clientId !== owed.clientId) {
            problems.push(new DeskError('SESSION_BINDING_MISMATCH', 'A revocation waiting in the keychain is listed in the session index for another provider or client, so it was not sent. The data directory may have been changed by another program.').toJSON());
            continue;
          }
          const ctx = await this.#providerOf(read.secret, owed.allowHttpLoopback);
          await this.#beforeSend(read.secret);
          await revokeToken(ctx, read.secret.refreshToken, 'refresh_token');
        }
        await this.#forgetOwed(owed);
      } catch {
        // still owed; the scheduler tries again later
      }
    }
    return { pending: this.#doc.revocations.length, problems };
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

  /**
   * Runs `fn` holding the session's cross-process lock (refresh, sign-out, re-sign-in). `lost` is aborted
   * when the lock was taken away meanwhile (this process stalled past the stale window): nothing may then
   * send the session's refresh token, since another process may have redeemed it.
   */
  #withSessionLock<T>(id: string, fn: (lost: AbortSignal) => Promise<T>): Promise<T> {
    return withFileLock(join(this.#deps.dataDir, 'locks', `${id}.lock`), (lock) => fn(lock.signal), { now: this.#deps.now });
  }

  #record(id: unknown): SessionRecord {
    const found = typeof id === 'string' ? this.#doc.sessions.find((s) => s.id === id) : undefined;
    // Never echo the value: a pasted token must not reach an error message.
    if (found === undefined) throw new DeskError('SESSION_NOT_FOUND', 'There is no session with that id.');
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
      sessionOnly: live?.memoryGrant !== undefined,
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

  async #patchRecord(id: string, patch: (record: SessionRecord) => SessionRecord): Promise<SessionRecord> {
    await this.#updateIndex((doc) => ({ ...doc, sessions: doc.sessions.map((s) => (s.id === id ? { ...patch(s), updatedAt: this.#deps.now() } : s)) }));
    return this.#record(id);
  }

  #provider(record: SessionRecord): Promise<ProviderContext> {
    return this.providers.get({ issuer: record.issuer, clientId: record.clientId, allowHttpLoopback: record.allowHttpLoopback });
  }

  /** Lets the front refuse a request carrying a token before it goes to `target` (see SessionServiceDeps.beforeSend). */
  async #beforeSend(target: TokenBinding): Promise<void> {
    await this.#deps.beforeSend?.({ issuer: target.issuer, clientId: target.clientId });
  }

  /** The provider a grant (or held tokens) belongs to, as bound in the keychain: where its tokens may go. */
  #providerOf(binding: TokenBinding, allowHttpLoopback: boolean): Promise<ProviderContext> {
    return this.providers.get({ issuer: binding.issuer, clientId: binding.clientId, allowHttpLoopback });
  }

  /** True when the access token has `minValidityMs` left; one without a stated expiry is trusted for a few minutes only. */
  #validFor(held: HeldTokens, minValidityMs: number): boolean {
    const expiresAt = held.expiresAt ?? held.receivedAt + UNSTATED_EXPIRY_MS;
    return expiresAt - this.#deps.now() > minValidityMs;
  }

  #secretFor(binding: TokenBinding, refreshToken: string, cacheKey: string | undefined): StoredSecret {
    return { v: 1, refreshToken, issuer: binding.issuer, clientId: binding.clientId, createdAt: this.#deps.now(), ...(cacheKey === undefined ? {} : { cacheKey }) };
  }

  /**
   * The session's refresh token with the provider and client it belongs to: from memory (session-only)
   * or the keychain, checked against the record (`SESSION_BINDING_MISMATCH`: nothing may be sent).
   */
  async #grant(record: SessionRecord, options: { readonly markMissing?: boolean } = {}): Promise<Grant> {
    const memory = this.#live.get(record.id)?.memoryGrant;
    if (memory !== undefined) {
      assertBoundTo(record, memory, 'refresh token');
      return memory;
    }
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
      if (options.markMissing !== false) await this.#markSignInNeeded(record.id, err);
      throw err;
    }
    const grant: Grant = { refreshToken: read.secret.refreshToken, issuer: read.secret.issuer, clientId: read.secret.clientId, cacheKey: read.secret.cacheKey };
    assertBoundTo(record, grant, 'refresh token');
    return grant;
  }

  /**
   * The tokens this process holds for the session, or else those of the token cache (one keychain read
   * for its key, no network), or undefined. Tokens bound to another issuer or client are never returned.
   */
  async #held(record: SessionRecord, grant?: Grant): Promise<HeldTokens | undefined> {
    const live = this.#liveOf(record.id);
    const own = live.tokens;
    if (own !== undefined) {
      assertBoundTo(record, own.boundTo, 'tokens');
      return own;
    }
    if (!record.hasRefreshToken || record.status === 'sign-in-needed') return undefined;
    const bound = grant ?? await this.#grant(record);
    if (bound.cacheKey === undefined) return undefined;
    const cached = await this.#cache.read(record.id, bound.cacheKey, bound);
    if (cached !== undefined) live.tokens = cached;
    return cached;
  }

  /**
   * Writes a refresh token to the keychain, or keeps it in memory when the keychain cannot take it.
   * Returns where it went and the cache key now in the keychain entry.
   */
  async #storeGrant(id: string, binding: TokenBinding, refreshToken: string, cacheKey: string | undefined): Promise<'keychain' | 'memory'> {
    const live = this.#liveOf(id);
    const keychain = await this.keychain();
    // A keychain that is missing stays skipped; a locked or failing one is tried again each time.
    if (this.#deps.secrets.persistent && keychain.state !== 'unavailable') {
      try {
        await this.#deps.secrets.set(id, this.#secretFor(binding, refreshToken, cacheKey));
        live.memoryGrant = undefined;
        if (keychain.sessionOnly) this.#setKeychain({ state: 'available', sessionOnly: false });
        return 'keychain';
      } catch (error) {
        if (!isDeskError(error) || error.category !== 'keychain') throw error;
        live.lastError = error;
        this.#setKeychain({ state: error.code === 'KEYCHAIN_LOCKED' ? 'locked' : 'unavailable', message: error.message, sessionOnly: true });
      }
    }
    live.memoryGrant = { refreshToken, issuer: binding.issuer, clientId: binding.clientId };
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
    const existing = this.#doc.sessions.find((s) => s.profile === profile.name && s.subject === subject && s.issuer === profile.issuer && s.clientId === profile.clientId && subject !== 'unknown');
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
    const binding: TokenBinding = { issuer: profile.issuer, clientId: profile.clientId };
    const { refreshToken, ...rest } = tokens;
    const held: HeldTokens = { ...rest, boundTo: binding, ...(rest.idToken === undefined ? {} : { idTokenReceivedAt: rest.receivedAt }) };
    live.tokens = held;
    live.lastError = undefined;
    const cacheKey = newCacheKey();
    let stored: 'keychain' | 'memory' | 'none' = 'none';
    if (refreshToken !== undefined) stored = await this.#storeGrant(id, binding, refreshToken, cacheKey);
    if (stored === 'keychain') await this.#cache.write(id, cacheKey, held);
    else await this.#cache.remove(id);
    const now = this.#deps.now();
    const idBinding = bindingOf(tokens.idTokenClaims);
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
      ...(idBinding ? { binding: idBinding } : {}),
    };
    await this.#updateIndex((doc) => ({ ...doc, sessions: [...doc.sessions.filter((s) => s.id !== id), record] }));
    if (tokens.expiresAt !== undefined) this.#scheduler.planExpiry(id, tokens.expiresAt);
    if (previous?.kind === 'found' && previous.secret.refreshToken !== refreshToken) {
      // The replaced grant is revoked where it was issued (the entry names its own issuer and client).
      const old = previous.secret.refreshToken;
      const oldBinding: TokenBinding = { issuer: previous.secret.issuer, clientId: previous.secret.clientId };
      await this.#providerOf(oldBinding, record.allowHttpLoopback)
        .then((ctx) => revokeToken(ctx, old, 'refresh_token'))
        .catch(async (error: unknown) => {
          if (isDeskError(error) && error.category === 'network') await this.#oweRevocation(oldBinding, record, old);
        });
    }
    const view = this.#view(record);
    this.#emit({ type: existing ? 'session-updated' : 'session-added', session: view });
    return view;
  }

  async #markSignInNeeded(id: string, error: DeskError): Promise<void> {
    this.#liveOf(id).lastError = error;
    this.#scheduler.cancel(id);
    await this.#cache.remove(id);
    await this.#patchRecord(id, (r) => ({ ...r, status: 'sign-in-needed', hasRefreshToken: false }));
  }

  /** Single flight per session: concurrent callers share one refresh (and its one token request). */
  #refreshShared(id: string, reuse: Reuse | undefined): Promise<SessionView> {
    const live = this.#liveOf(id);
    if (live.inflight) return live.inflight;
    const run = this.#refreshOnce(id, reuse).finally(() => {
      live.inflight = undefined;
      this.#emitUpdated(id);
    });
    live.inflight = run;
    this.#emitUpdated(id);
    return run;
  }

  /**
   * One refresh, holding the session's lock. With `reuse`, a token that another process got after
   * `reuse.seenAt` and left in the cache is taken instead, with no request.
   */
  async #refreshOnce(id: string, reuse: Reuse | undefined): Promise<SessionView> {
    return this.#withSessionLock(id, async (lost) => {
      // Another process may have rotated the token, refreshed or signed out: decide on the current state.
      await this.reload();
      const record = this.#record(id);
      if (record.status === 'sign-in-needed') throw new DeskError('SIGN_IN_NEEDED', 'This session needs a new sign-in.');
      // A session whose refresh fails is refreshed only when the user asks (never by a scheduler or a reuse).
      if (record.refreshFailure !== undefined && reuse !== undefined) throw refreshFailingError(record);
      const live = this.#liveOf(id);
      let tokens: TokenSet;
      let grant: Grant;
      let previous: HeldTokens | undefined;
      let sent: string | undefined;
      try {
        grant = await this.#grant(record);
        if (live.memoryGrant === undefined && grant.cacheKey !== undefined) {
          const cached = await this.#cache.read(id, grant.cacheKey, grant);
          if (cached !== undefined && (live.tokens === undefined || cached.receivedAt > live.tokens.receivedAt)) live.tokens = cached;
          if (cached !== undefined && reuse !== undefined && cached.receivedAt > reuse.seenAt && this.#validFor(cached, reuse.minValidityMs)) {
            return this.#view(record);
          }
        }
        previous = live.tokens;
        const ctx = await this.#providerOf(grant, record.allowHttpLoopback);
        await this.#beforeSend(grant);
        if (lost.aborted) throw new DeskError('SESSION_BUSY', 'This process lost the session\'s lock while it waited (it was stalled); the refresh token was not sent. Try again.');
        sent = grant.refreshToken;
        tokens = await refreshTokens(ctx, { refreshToken: sent, now: this.#deps.now });
        if (tokens.idTokenClaims !== undefined) {
          if (previous?.idTokenClaims !== undefined) checkRefreshedIdToken(previous.idTokenClaims, tokens.idTokenClaims);
          else if (record.binding !== undefined) {
            const { identity, compareAzp } = identityOf(record.binding);
            checkRefreshedIdToken(identity, tokens.idTokenClaims, { compareAzp });
          }
        }
      } catch (error) {
        throw await this.#refreshFailed(record, isDeskError(error) ? error : new DeskError('INTERNAL', 'Refresh failed.', { cause: error }), sent);
      }
      // Rotation: the new refresh token reaches the keychain before anything else uses it.
      let storageLost = false;
      let cacheKey = grant.cacheKey;
      const rotated = tokens.refreshToken !== undefined && tokens.refreshToken !== grant.refreshToken;
      if (live.memoryGrant === undefined && (rotated || cacheKey === undefined)) {
        cacheKey ??= newCacheKey();
        if (await this.#storeGrant(id, grant, tokens.refreshToken ?? grant.refreshToken, cacheKey) === 'memory') {
          // The keychain still holds the rotated-out token: no process may send it again.
          await this.#deps.secrets.delete(id).catch(() => undefined);
          storageLost = true;
          cacheKey = undefined;
        }
      } else if (rotated && tokens.refreshToken !== undefined) {
        live.memoryGrant = { ...grant, refreshToken: tokens.refreshToken };
      }
      const { refreshToken: _rotated, ...rest } = tokens;
      // A refresh without an ID token keeps the sign-in's (OIDC Core §12.2).
      const held: HeldTokens = rest.idToken !== undefined || previous?.idToken === undefined
        ? { ...rest, boundTo: grant, ...(rest.idToken === undefined ? {} : { idTokenReceivedAt: rest.receivedAt }) }
        : { ...rest, idToken: previous.idToken, idTokenClaims: previous.idTokenClaims, idTokenReport: previous.idTokenReport, idTokenReceivedAt: previous.idTokenReceivedAt ?? previous.receivedAt, boundTo: grant };
      live.tokens = held;
      live.lastError = undefined;
      if (cacheKey !== undefined) await this.#cache.write(id, cacheKey, held);
      else await this.#cache.remove(id);
      this.#scheduler.succeeded(id);
      const idBinding = bindingOf(tokens.idTokenClaims);
      const updated = await this.#patchRecord(id, (r) => {
        const { refreshFailure: _cleared, ...kept } = r;
        return {
          ...kept,
          ...(storageLost ? { hasRefreshToken: false } : {}),
          ...(tokens.expiresAt === undefined ? {} : { accessTokenExpiresAt: tokens.expiresAt }),
          ...(idBinding ? { binding: idBinding } : {}),
          ...(tokens.scope ? { scopes: tokens.scope } : {}),
        };
      });
      if (tokens.expiresAt !== undefined) this.#scheduler.planExpiry(id, tokens.expiresAt);
      return this.#view(updated);
    });
  }

  /**
   * Decides what a failed refresh means, records it, and returns the error to throw. Only the token
   * endpoint's OAuth `invalid_grant` ends the session; the network and the keychain are retried with
   * backoff; anything else (an answer that is not OAuth, another OAuth error, a refused ID token) keeps
   * the refresh token and marks the session as failing, visible to every process, with no retry loop.
   */
  async #refreshFailed(record: SessionRecord, failure: DeskError, sent: string | undefined): Promise<DeskError> {
    const live = this.#liveOf(record.id);
    // The provider's words may echo what was sent: mask it (and anything token-like) before it is shown or stored.
    const err = sent === undefined ? failure : maskedError(failure, [sent]);
    if (err.code === 'INVALID_GRANT') {
      // The grant is gone: forget the token, ask for a sign-in, never retry in a loop.
      if (record.hasRefreshToken) await this.#deps.secrets.delete(record.id).catch(() => undefined);
      live.memoryGrant = undefined;
      live.tokens = undefined;
      const needed = new DeskError('SIGN_IN_NEEDED', `${err.message}`, { cause: err, oauthError: 'invalid_grant' });
      await this.#markSignInNeeded(record.id, needed);
      return needed;
    }
    live.lastError = err;
    if (err.category === 'network' || err.category === 'keychain') {
      this.#scheduler.planRetry(record.id);
      return err;
    }
    if (STUCK_FAILURES.has(err.code)) {
      this.#scheduler.cancel(record.id);
      const refreshFailure = { code: err.code, message: err.message.slice(0, 1000), at: this.#deps.now(), ...(err.status === undefined ? {} : { status: err.status }) };
      await this.#patchRecord(record.id, (r) => ({ ...r, refreshFailure }));
    }
    return err;
  }

  /**
   * Keeps a refresh token to revoke later at the provider and client it was issued for (in the keychain
   * only, one entry per owed token); false when it cannot be kept.
   */
  async #oweRevocation(binding: TokenBinding, record: SessionRecord, refreshToken: string): Promise<boolean> {
    const account = `revoke.${record.id}.${randomBytes(4).toString('hex')}`;
    try {
      await this.#deps.secrets.set(account, this.#secretFor(binding, refreshToken, undefined));
    } catch {
      return false; // the keychain cannot hold it: nothing is written anywhere else
    }
    await this.#updateIndex((doc) => ({
      ...doc,
      revocations: [...doc.revocations, { account, issuer: binding.issuer, clientId: binding.clientId, allowHttpLoopback: record.allowHttpLoopback, since: this.#deps.now() }],
    }));
    return true;
  }

  /** Drops an owed revocation: done, or its token is gone. */
  async #forgetOwed(owed: OwedRevocation): Promise<void> {
    await this.#deps.secrets.delete(owed.account);
    await this.#updateIndex((doc) => ({ ...doc, revocations: doc.revocations.filter((r) => r.account !== owed.account) }));
  }
}

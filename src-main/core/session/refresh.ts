/**
 * Refresh coordination: one refresh at a time per session in this process (single flight) and across
 * processes (the session lock), rotation stored before anything else uses it, OIDC Core §12.2 on a
 * refreshed ID token, another process's newer token taken from the cache, and what a failure means.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 * @module
 */
import type { SessionView } from '../contract.ts';
import { DeskError, isDeskError, type ErrorCode } from '../errors.ts';
import { replaceSecrets } from '../http/redact.ts';
import { checkRefreshedIdToken } from '../oauth/id-token.ts';
import type { DpopSigner } from '../oauth/dpop.ts';
import { refreshTokens, type TokenSet } from '../oauth/tokens.ts';
import type { SessionRecord } from '../store/session-index.ts';
import { bindingOf, identityOf } from './bindings.ts';
import { clientAuthOf } from './client-credentials.ts';
import { rerunClientCredentials } from './direct-sign-in.ts';
import { dpopOf } from './dpop-session.ts';
import { implicitSignInNeeded } from './front-channel-sessions.ts';
import { readGrant, storeGrant } from './grants.ts';
import type { Grant, SessionState } from './session-state.ts';
import { newCacheKey, type HeldTokens } from './token-cache.ts';

/** When a refresh may be skipped: another process refreshed after `seenAt` and left a token valid for `minValidityMs`. */
export interface Reuse {
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
  // DPoP (RFC 9449): a key the keychain lost does not come back; a response not bound to the key is refused.
  'DPOP_KEY_MISSING', 'DPOP_NOT_BOUND', 'DPOP_BINDING_MISMATCH',
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

/** The error for using a session whose refresh is failing, with the failure recorded in the index. */
export function refreshFailingError(record: SessionRecord): DeskError {
  const f = record.refreshFailure;
  return new DeskError('REFRESH_FAILING', `Refreshing this session fails${f ? ` (${f.code}${f.status === undefined ? '' : `, HTTP ${f.status}`}: ${f.message})` : ''}. Refresh it explicitly to try again, or sign in again to replace it.`, f?.status === undefined ? {} : { status: f.status });
}

/** Refreshes sessions; every refresh of this process goes through {@link Refresher.shared}. */
export class Refresher {
  readonly #state: SessionState;

  constructor(state: SessionState) {
    this.#state = state;
  }

  /** Single flight per session: concurrent callers share one refresh (and its one token request). */
  shared(id: string, reuse: Reuse | undefined): Promise<SessionView> {
    const state = this.#state;
    const live = state.liveOf(id);
    if (live.inflight) return live.inflight;
    const run = this.#once(id, reuse).then((done) => {
      live.inflight = undefined;
      // One view of the session as it is now, no longer refreshing: the callers' answer and the event are the same.
      const current = state.doc.sessions.find((s) => s.id === id);
      const view = state.view(current ?? done);
      if (current !== undefined) state.emit({ type: 'session-updated', session: view });
      return view;
    }, (error: unknown) => {
      live.inflight = undefined;
      state.emitUpdated(id);
      throw error;
    });
    live.inflight = run;
    state.emitUpdated(id);
    return run;
  }

  /**
   * One refresh, holding the session's lock. With `reuse`, a token that another process got after
   * `reuse.seenAt` and left in the cache is taken instead, with no request. Returns the session's record
   * (its view is made once the refresh is over).
   */
  async #once(id: string, reuse: Reuse | undefined): Promise<SessionRecord> {
    const state = this.#state;
    // No refresh token by design (RFC 6749 §4.4.3): getting a token again means running the grant again.
    if (state.record(id).flow === 'client_credentials') return rerunClientCredentials(state, id, reuse);
    // No refresh token either, and never a silent sign-in: the user signs in again.
    if (state.record(id).flow === 'implicit') {
      state.scheduler.cancel(id);
      throw implicitSignInNeeded();
    }
    return state.withSessionLock(id, async (lost) => {
      // Another process may have rotated the token, refreshed or signed out: decide on the current state.
      await state.reload();
      const record = state.record(id);
      if (record.status === 'sign-in-needed') throw new DeskError('SIGN_IN_NEEDED', 'This session needs a new sign-in.');
      // A session whose refresh fails is refreshed only when the user asks (never by a scheduler or a reuse).
      if (record.refreshFailure !== undefined && reuse !== undefined) throw refreshFailingError(record);
      const live = state.liveOf(id);
      let tokens: TokenSet;
      let grant: Grant;
      let previous: HeldTokens | undefined;
      let sent: string | undefined;
      let dpop: DpopSigner | undefined;
      try {
        grant = await readGrant(state, record);
        if (live.memoryGrant === undefined && grant.cacheKey !== undefined) {
          const cached = await state.cache.read(id, grant.cacheKey, grant);
          if (cached !== undefined && (live.tokens === undefined || cached.receivedAt > live.tokens.receivedAt)) live.tokens = cached;
          if (cached !== undefined && reuse !== undefined && cached.receivedAt > reuse.seenAt && state.validFor(cached, reuse.minValidityMs)) {
            return record;
          }
        }
        previous = live.tokens;
        // A DPoP-bound refresh token goes only with a proof of its key, never as a bearer one: no key, nothing sent.
        dpop = await dpopOf(state, record, grant);
        // The front may refuse this provider before anything (even its metadata) is asked of it.
        await state.beforeSend(grant);
        const ctx = await state.providerOf(grant, record.allowHttpLoopback, { sessionId: id });
        const clientAuth = await clientAuthOf(state, grant, record.clientAuth);
        if (lost.aborted) throw new DeskError('SESSION_BUSY', 'This process lost the session\'s lock while it waited (it was stalled); the refresh token was not sent. Try again.');
        sent = grant.refreshToken;
        tokens = await refreshTokens(ctx, { refreshToken: sent, now: state.deps.now, clientAuth, dpop });
        if (tokens.idTokenClaims !== undefined) {
          if (previous?.idTokenClaims !== undefined) checkRefreshedIdToken(previous.idTokenClaims, tokens.idTokenClaims);
          else if (record.binding !== undefined) {
            const { identity, compareAzp } = identityOf(record.binding);
            checkRefreshedIdToken(identity, tokens.idTokenClaims, { compareAzp });
          }
        }
      } catch (error) {
        throw await this.#failed(record, isDeskError(error) ? error : new DeskError('INTERNAL', 'Refresh failed.', { cause: error }), sent);
      }
      // Rotation: the new refresh token reaches the keychain before anything else uses it.
      let storageLost = false;
      let cacheKey = grant.cacheKey;
      const rotated = tokens.refreshToken !== undefined && tokens.refreshToken !== grant.refreshToken;
      if (live.memoryGrant === undefined && (rotated || cacheKey === undefined)) {
        cacheKey ??= newCacheKey();
        if (await storeGrant(state, id, grant, tokens.refreshToken ?? grant.refreshToken, cacheKey, dpop?.key.privateJwk) === 'memory') {
          // The keychain still holds the rotated-out token: no process may send it again.
          await state.deps.secrets.delete(id).catch(() => undefined);
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
      const idBinding = bindingOf(tokens.idTokenClaims);
      // The cache and the index are separate files: written at once (a cache missing after a crash only costs a refresh).
      const [updated] = await Promise.all([
        state.patchRecord(id, (r) => {
          const { refreshFailure: _cleared, ...kept } = r;
          return {
            ...kept,
            ...(storageLost ? { hasRefreshToken: false } : {}),
            ...(tokens.expiresAt === undefined ? {} : { accessTokenExpiresAt: tokens.expiresAt }),
            ...(idBinding ? { binding: idBinding } : {}),
            ...(tokens.scope ? { scopes: tokens.scope } : {}),
          };
        }),
        cacheKey !== undefined ? state.cache.write(id, cacheKey, held) : state.cache.remove(id),
      ]);
      state.scheduler.succeeded(id);
      if (tokens.expiresAt !== undefined) state.scheduler.planExpiry(id, tokens.expiresAt);
      return updated;
    });
  }

  /**
   * Decides what a failed refresh means, records it, and returns the error to throw. Only the token
   * endpoint's OAuth `invalid_grant` ends the session; the network and the keychain are retried with
   * backoff; anything else (an answer that is not OAuth, another OAuth error, a refused ID token) keeps
   * the refresh token and marks the session as failing, visible to every process, with no retry loop.
   */
  async #failed(record: SessionRecord, failure: DeskError, sent: string | undefined): Promise<DeskError> {
    const state = this.#state;
    const live = state.liveOf(record.id);
    // The provider's words may echo what was sent: mask it before it is shown or stored.
    const err = sent === undefined ? failure : maskedError(failure, [sent]);
    if (err.code === 'INVALID_GRANT') {
      // The grant is gone: forget the token, ask for a sign-in, never retry in a loop.
      if (record.hasRefreshToken) await state.deps.secrets.delete(record.id).catch(() => undefined);
      live.memoryGrant = undefined;
      live.tokens = undefined;
      const needed = new DeskError('SIGN_IN_NEEDED', `${err.message}`, { cause: err, oauthError: 'invalid_grant' });
      await state.markSignInNeeded(record.id, needed);
      return needed;
    }
    live.lastError = err;
    if ((err.category === 'network' || err.category === 'keychain') && !STUCK_FAILURES.has(err.code)) {
      state.scheduler.planRetry(record.id);
      return err;
    }
    if (STUCK_FAILURES.has(err.code)) {
      state.scheduler.cancel(record.id);
      const refreshFailure = { code: err.code, message: err.message.slice(0, 1000), at: state.now(), ...(err.status === undefined ? {} : { status: err.status }) };
      await state.patchRecord(record.id, (r) => ({ ...r, refreshFailure }));
    }
    return err;
  }
}

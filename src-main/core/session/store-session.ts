/**
 * A completed sign-in stored as a session: the same account signing in again with the same profile,
 * issuer and client keeps its session (its replaced grant revoked where it was issued), the refresh token
 * goes to the keychain (or memory), the tokens to the cache, the record to the index.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { SessionView } from '../contract.ts';
import { isDeskError } from '../errors.ts';
import { revokeToken } from '../oauth/revocation.ts';
import type { SignInResult } from '../oauth/sign-in.ts';
import type { SessionRecord } from '../store/session-index.ts';
import { bindingOf, displayNameOf } from './bindings.ts';
import { clientAuthOf } from './client-credentials.ts';
import { storeGrant } from './grants.ts';
import { oweRevocation } from './revocations.ts';
import type { SessionState } from './session-state.ts';
import { newCacheKey, type HeldTokens, type TokenBinding } from './token-cache.ts';

/** Stores a completed sign-in as a session (new, or replacing the same account's) and announces it. */
export async function storeSignIn(state: SessionState, result: SignInResult, clientCacheKey?: string): Promise<SessionView> {
  const { profile } = result;
  const subject = subjectOf(result);
  const existing = state.doc.sessions.find((s) => s.profile === profile.name && s.subject === subject && s.issuer === profile.issuer && s.clientId === profile.clientId && subject !== 'unknown');
  const id = existing?.id ?? `s-${randomBytes(4).toString('hex')}`;
  // The sign-in's exchanges (discovery, token, JWKS) belong to the session's timeline from now on.
  state.deps.exchanges?.assign(result.flowId, id);
  // A new session's id is known to no one yet (nor to any other process): only replacing one needs its lock.
  return existing === undefined ? storeSession(state, id, existing, result, clientCacheKey) : state.withSessionLock(id, () => storeSession(state, id, existing, result, clientCacheKey));
}

/** Who a session is about: the ID token's `sub`; for client credentials the client itself (RFC 6749 §4.4). */
function subjectOf(result: SignInResult): string {
  return result.tokens.idTokenClaims?.sub ?? (result.profile.flow === 'client_credentials' ? result.profile.clientId : 'unknown');
}

/** Stores a signed-in session under `id` (new, or replacing `existing`, then holding its lock). */
async function storeSession(state: SessionState, id: string, existing: SessionRecord | undefined, result: SignInResult, clientCacheKey: string | undefined): Promise<SessionView> {
  const { profile, tokens } = result;
  const subject = subjectOf(result);
  // Signing in again replaces the session's grant: the old refresh token is revoked, not left valid.
  const previous = existing?.hasRefreshToken ? await state.deps.secrets.get(id).catch(() => undefined) : undefined;
  const live = state.liveOf(id);
  const binding: TokenBinding = { issuer: profile.issuer, clientId: profile.clientId };
  const { refreshToken, ...rest } = tokens;
  const held: HeldTokens = { ...rest, boundTo: binding, ...(rest.idToken === undefined ? {} : { idTokenReceivedAt: rest.receivedAt }) };
  live.tokens = held;
  live.lastError = undefined;
  // A new sign-in brings a new DPoP key (or none): the one this process held for the session is done.
  live.dpop = result.dpop;
  const cacheKey = newCacheKey();
  let stored: 'keychain' | 'memory' | 'none' = 'none';
  if (refreshToken !== undefined) stored = await storeGrant(state, id, binding, refreshToken, cacheKey, result.dpop?.key.privateJwk);
  const now = state.now();
  const idBinding = bindingOf(tokens.idTokenClaims);
  const displayName = displayNameOf(tokens.idTokenClaims);
  // With no access token (implicit `id_token`), the ID token is what the session holds: it lasts as long.
  const idTokenExp = tokens.accessToken === undefined ? tokens.idTokenClaims?.exp : undefined;
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
    ...(typeof idTokenExp === 'number' ? { idTokenExpiresAt: idTokenExp * 1000 } : {}),
    status: 'active',
    hasRefreshToken: stored === 'keychain',
    ...(idBinding ? { binding: idBinding } : {}),
    ...(profile.flow === 'authorization_code' ? {} : { flow: profile.flow }),
    ...(profile.clientAuth === 'none' ? {} : { clientAuth: profile.clientAuth }),
    ...(result.dpop === undefined ? {} : { dpopJkt: result.dpop.key.jkt }),
    ...(profile.responseType === undefined ? {} : { responseType: profile.responseType }),
  };
  // The cache and the index are separate files: written at once (a cache missing after a crash only costs a
  // refresh). The index first: its lock and durable write take longer, and the cache's encryption runs meanwhile.
  await Promise.all([
    state.updateIndex((doc) => ({ ...doc, sessions: [...doc.sessions.filter((s) => s.id !== id), record] })),
    stored === 'keychain' ? state.cache.write(id, cacheKey, held) : clientCacheKey !== undefined ? state.cache.write(id, clientCacheKey, held) : state.cache.remove(id),
  ]);
  if (tokens.expiresAt !== undefined) state.scheduler.planExpiry(id, tokens.expiresAt);
  if (previous?.kind === 'found' && previous.secret.refreshToken !== refreshToken) {
    // The replaced grant is revoked where it was issued (the entry names its own issuer and client).
    const old = previous.secret.refreshToken;
    const oldBinding: TokenBinding = { issuer: previous.secret.issuer, clientId: previous.secret.clientId };
    await state.beforeSend(oldBinding)
      .then(() => state.providerOf(oldBinding, record.allowHttpLoopback, { sessionId: id }))
      .then(async (ctx) => revokeToken(ctx, old, 'refresh_token', await clientAuthOf(state, oldBinding, existing?.clientAuth)))
      .catch(async (error: unknown) => {
        if (isDeskError(error) && error.category === 'network') await oweRevocation(state, oldBinding, record, old);
      });
  }
  const view = state.view(record);
  state.emit({ type: existing ? 'session-updated' : 'session-added', session: view });
  return view;
}

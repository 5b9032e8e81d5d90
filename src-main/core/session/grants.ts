/**
 * A session's grant (its refresh token, with the provider and client it was issued for) and the tokens
 * held for it: read from memory or the keychain, checked against the index, stored back, and the token
 * cache read with the grant's key.
 * @module
 */
import { DeskError, isDeskError } from '../errors.ts';
import type { PrivateJwk } from '../store/client-credential.ts';
import type { SessionRecord } from '../store/session-index.ts';
import { assertBoundTo } from './bindings.ts';
import { cachedClientTokens } from './direct-sign-in.ts';
import { cachedUnderClient } from './front-channel-sessions.ts';
import type { Grant, SessionState } from './session-state.ts';
import type { HeldTokens, TokenBinding } from './token-cache.ts';

/**
 * The session's refresh token with the provider and client it belongs to: from memory (session-only)
 * or the keychain, checked against the record (`SESSION_BINDING_MISMATCH`: nothing may be sent).
 * A missing entry marks the session "sign-in needed" unless `markMissing` is false.
 */
export async function readGrant(state: SessionState, record: SessionRecord, options: { readonly markMissing?: boolean } = {}): Promise<Grant> {
  const memory = state.live.get(record.id)?.memoryGrant;
  if (memory !== undefined) {
    assertBoundTo(record, memory, 'refresh token');
    return memory;
  }
  if (record.status === 'sign-in-needed' || !record.hasRefreshToken) throw new DeskError('SIGN_IN_NEEDED', 'This session has no refresh token any more; sign in again.');
  let read;
  try {
    read = await state.deps.secrets.get(record.id);
  } catch (error) {
    if (isDeskError(error, 'KEYCHAIN_ENTRY_CORRUPT')) await state.markSignInNeeded(record.id, error);
    throw error;
  }
  if (read.kind === 'unknown') throw read.reason;
  if (read.kind === 'absent') {
    const err = new DeskError('SIGN_IN_NEEDED', 'The keychain no longer holds this session\'s refresh token; sign in again.');
    if (options.markMissing !== false) await state.markSignInNeeded(record.id, err);
    throw err;
  }
  const grant: Grant = { refreshToken: read.secret.refreshToken, issuer: read.secret.issuer, clientId: read.secret.clientId, cacheKey: read.secret.cacheKey, dpopKey: read.secret.dpopKey };
  assertBoundTo(record, grant, 'refresh token');
  return grant;
}

/**
 * The tokens this process holds for the session, or else those of the token cache (one keychain read
 * for its key, no network), or undefined. Tokens bound to another issuer or client are never returned.
 */
export async function heldTokens(state: SessionState, record: SessionRecord, grant?: Grant): Promise<HeldTokens | undefined> {
  const live = state.liveOf(record.id);
  const own = live.tokens;
  if (own !== undefined) {
    assertBoundTo(record, own.boundTo, 'tokens');
    return own;
  }
  if (cachedUnderClient(record)) {
    const cached = await cachedClientTokens(state, record);
    if (cached !== undefined) live.tokens = cached;
    return cached;
  }
  if (!record.hasRefreshToken || record.status === 'sign-in-needed') return undefined;
  const bound = grant ?? await readGrant(state, record);
  if (bound.cacheKey === undefined) return undefined;
  const cached = await state.cache.read(record.id, bound.cacheKey, bound);
  if (cached !== undefined) live.tokens = cached;
  return cached;
}

/**
 * Writes a refresh token to the keychain with the cache key (and the session's DPoP key, bound with it),
 * or keeps them in memory when the keychain cannot take them (session-only). Returns where they went.
 */
export async function storeGrant(state: SessionState, id: string, binding: TokenBinding, refreshToken: string, cacheKey: string | undefined, dpopKey?: PrivateJwk): Promise<'keychain' | 'memory'> {
  const live = state.liveOf(id);
  const keychain = await state.keychain();
  // A keychain that is missing stays skipped; a locked or failing one is tried again each time.
  if (state.deps.secrets.persistent && keychain.state !== 'unavailable') {
    try {
      await state.deps.secrets.set(id, state.secretFor(binding, refreshToken, cacheKey, dpopKey));
      live.memoryGrant = undefined;
      if (keychain.sessionOnly) state.setKeychain({ state: 'available', sessionOnly: false });
      return 'keychain';
    } catch (error) {
      if (!isDeskError(error) || error.category !== 'keychain') throw error;
      live.lastError = error;
      state.setKeychain({ state: error.code === 'KEYCHAIN_LOCKED' ? 'locked' : 'unavailable', message: error.message, sessionOnly: true });
    }
  }
  live.memoryGrant = { refreshToken, issuer: binding.issuer, clientId: binding.clientId, ...(dpopKey === undefined ? {} : { dpopKey }) };
  return 'memory';
}

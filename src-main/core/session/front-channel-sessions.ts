/**
 * Sessions of the implicit and hybrid flows (legacy): an implicit session's tokens cached for every
 * process under its client's keychain entry (there is no refresh token to keep them with), the sign-in
 * asked for again once they run out, and what fronts are told about where each token came from.
 * @module
 */
import type { LegacyFlowView } from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import { frontChannelWarning, isFrontChannelFlow, responseTypeParts } from '../front-channel-flows.ts';
import type { Profile } from '../profile.ts';
import { clientAccount, type StoredClientCredential } from '../store/client-credential.ts';
import type { SessionRecord } from '../store/session-index.ts';
import { readClientCredential } from './client-credentials.ts';
import type { SessionState } from './session-state.ts';
import { newCacheKey, type HeldTokens, type TokenBinding } from './token-cache.ts';

/** The access token of held tokens, or `NO_ACCESS_TOKEN` for an implicit `id_token` session (it has none). */
export function accessTokenOf(held: Pick<HeldTokens, 'accessToken'>): string {
  if (held.accessToken === undefined) {
    throw new DeskError('NO_ACCESS_TOKEN', 'This session has no access token: its response type (id_token) brings an ID token only. Use a profile with the response type "id_token token" (or the authorization code flow) to call an API.');
  }
  return held.accessToken;
}

/** Why an implicit session cannot be refreshed: it has no refresh token by design, and never signs in silently. */
export function implicitSignInNeeded(): DeskError {
  return new DeskError('SIGN_IN_NEEDED', 'This session comes from the implicit flow, which issues no refresh token: its access token has run out (or is about to). Sign in again with its profile.');
}

/**
 * The key of the token cache of an implicit session: kept in its client's keychain entry (made without a
 * secret when there is none), so that every process can use the tokens until they run out. Undefined when
 * the keychain cannot keep it (session-only mode): the tokens then live in this process only.
 */
export async function implicitCacheKey(state: SessionState, profile: Profile): Promise<string | undefined> {
  if (profile.flow !== 'implicit' || !state.deps.secrets.persistent) return undefined;
  const binding: TokenBinding = { issuer: profile.issuer, clientId: profile.clientId };
  try {
    const existing = await readClientCredential(state, binding);
    if (existing !== undefined) return existing.cacheKey;
    const entry: StoredClientCredential = { v: 1, kind: 'client', issuer: binding.issuer, clientId: binding.clientId, createdAt: state.now(), cacheKey: newCacheKey() };
    await state.deps.secrets.setClient(clientAccount(binding.issuer, binding.clientId), entry);
    return entry.cacheKey;
  } catch (error) {
    // A keychain that fails here costs the cache only: the sign-in itself stands.
    if (isDeskError(error) && (error.category === 'keychain' || error.code === 'SESSION_BINDING_MISMATCH')) return undefined;
    throw error;
  }
}

/** True for a session whose tokens are cached under its client's keychain entry (client credentials, implicit). */
export function cachedUnderClient(record: Pick<SessionRecord, 'flow'>): boolean {
  return record.flow === 'client_credentials' || record.flow === 'implicit';
}

/**
 * What fronts show of an implicit or hybrid session: the legacy warning, the response type, and where its
 * access and ID tokens came from. Undefined for any other flow.
 */
export function legacyFlowView(record: Pick<SessionRecord, 'flow' | 'responseType'>): LegacyFlowView | undefined {
  if (!isFrontChannelFlow(record.flow) || record.responseType === undefined) return undefined;
  const parts = responseTypeParts(record.responseType);
  // Implicit: everything came in the redirect. Hybrid: the code's exchange gave the tokens kept.
  const implicit = record.flow === 'implicit';
  return {
    flow: record.flow,
    responseType: record.responseType,
    warning: frontChannelWarning(record.flow),
    accessToken: implicit ? (parts.accessToken ? 'front-channel' : 'none') : 'token-endpoint',
    idToken: implicit ? 'front-channel' : 'token-endpoint',
    frontChannelIdTokenVerified: parts.idToken,
  };
}

/**
 * Sign-ins without a browser: the client credentials grant (a session for the client itself, run again
 * when its access token has run out) and the legacy resource owner password grant (the password sent
 * once, kept nowhere).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { SessionView } from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import type { ExchangeContext } from '../http/exchange-context.ts';
import { fingerprint } from '../http/redact.ts';
import { clientCredentialsGrant, passwordGrant, type TokenSet } from '../oauth/tokens.ts';
import type { Profile } from '../profile.ts';
import type { SessionRecord } from '../store/session-index.ts';
import { clientAuthOf, readClientCredential } from './client-credentials.ts';
import type { SessionState } from './session-state.ts';
import { storeSignIn } from './store-session.ts';
import type { HeldTokens } from './token-cache.ts';

/** The account's credentials for the password grant. */
export interface PasswordCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * The error of a refused grant, said for this flow (the generic hints speak of codes and public clients),
 * with anything the provider echoed of the password taken out.
 */
function refined(error: unknown, profile: Profile, password: string | undefined): DeskError {
  const err = isDeskError(error) ? error : new DeskError('INTERNAL', 'The token request failed.', { cause: error });
  // The provider's words are masked already; a long password may have become its fingerprint there.
  const scrub = (text: string | undefined): string | undefined => (text === undefined || password === undefined || password.length === 0 ? text : text.split(password).join('[password]').split(fingerprint(password)).join('[password]'));
  let message = scrub(err.message) ?? err.message;
  if (err.code === 'INVALID_CLIENT') {
    message = profile.clientAuth === 'private_key_jwt'
      ? 'The provider did not accept the client\'s signed assertion: check that the public key shown for this profile is registered for the client (its JWKS) with the same key id.'
      : 'The provider did not accept the client\'s credentials: check the client id and set the client secret again (the one shown once by the provider), and that the client authentication method matches the app\'s.';
  } else if (err.code === 'UNAUTHORIZED_CLIENT') {
    message = `The provider does not allow this client the ${profile.flow === 'password' ? 'password' : 'client credentials'} grant. Enable the grant type on the app at the provider (Okta: a service app for client credentials, on a custom authorization server).`;
  } else if (err.code === 'INVALID_GRANT' && profile.flow === 'password') {
    message = 'The provider did not accept the username and password (or the account may not use this grant).';
  }
  const description = scrub(err.oauthErrorDescription);
  return new DeskError(err.code, message, {
    cause: err,
    ...(err.oauthError === undefined ? {} : { oauthError: err.oauthError }),
    ...(description === undefined ? {} : { oauthErrorDescription: description }),
    ...(err.status === undefined ? {} : { status: err.status }),
  });
}

/** Runs the profile's grant at its provider, with the client authentication from the keychain, for a sign-in or a session (`context`). */
async function runGrant(state: SessionState, profile: Pick<Profile, 'name' | 'issuer' | 'clientId' | 'allowHttpLoopback' | 'scopes' | 'flow' | 'clientAuth'>, context: ExchangeContext, credentials: PasswordCredentials | undefined): Promise<TokenSet> {
  const clientAuth = await clientAuthOf(state, profile, profile.clientAuth);
  const ctx = await state.providers.get(profile, { context });
  try {
    if (profile.flow === 'password') {
      if (credentials === undefined) throw new DeskError('USAGE', 'The password flow needs a username and a password.');
      return await passwordGrant(ctx, { clientAuth, username: credentials.username, password: credentials.password, scopes: profile.scopes, now: state.deps.now });
    }
    return await clientCredentialsGrant(ctx, { clientAuth, scopes: profile.scopes, now: state.deps.now });
  } catch (error) {
    throw refined(error, profile as Profile, credentials?.password);
  }
}

/**
 * Signs in without a browser (client credentials or password grant) and stores the session. `flowId`
 * names the sign-in's exchanges until they belong to the session.
 */
export async function signInDirect(state: SessionState, profile: Profile, flowId: string, credentials?: PasswordCredentials): Promise<SessionView> {
  if (profile.flow === 'authorization_code') throw new DeskError('USAGE', 'This profile signs in through the browser.');
  if (profile.flow === 'client_credentials' && credentials !== undefined) throw new DeskError('USAGE', 'The client credentials flow takes no username or password.');
  const tokens = await runGrant(state, profile, { flowId }, credentials);
  const provider = await state.providers.get(profile, { context: { flowId } });
  // A client credentials session's tokens are cached under its client's keychain entry (it has no refresh token).
  const clientCacheKey = profile.flow === 'client_credentials' ? (await readClientCredential(state, profile))?.cacheKey : undefined;
  return storeSignIn(state, { flowId, profile, provider, redirectUri: '', tokens, strayRequests: 0 }, clientCacheKey);
}

/** A fresh id for a sign-in without a browser. */
export function directFlowId(): string {
  return randomUUID();
}

/** The cached tokens of a client credentials session (its client's cache key), or undefined. */
export async function cachedClientTokens(state: SessionState, record: SessionRecord): Promise<HeldTokens | undefined> {
  const credential = await readClientCredential(state, record);
  if (credential === undefined) return undefined;
  return state.cache.read(record.id, credential.cacheKey, record);
}

/**
 * Runs the client credentials grant again for a session (there is no refresh token): under the session's
 * lock, unless another process left a token in the cache meanwhile that is still valid for `minValidityMs`.
 * Returns the session's record (the refresher makes its view).
 */
export async function rerunClientCredentials(state: SessionState, id: string, reuse: { readonly seenAt: number; readonly minValidityMs: number } | undefined): Promise<SessionRecord> {
  return state.withSessionLock(id, async () => {
    await state.reload();
    const record = state.record(id);
    const live = state.liveOf(id);
    const cached = await cachedClientTokens(state, record).catch(() => undefined);
    if (cached !== undefined && reuse !== undefined && cached.receivedAt > reuse.seenAt && state.validFor(cached, reuse.minValidityMs)) {
      live.tokens = cached;
      return record;
    }
    let tokens: TokenSet;
    try {
      await state.beforeSend(record);
      tokens = await runGrant(state, {
        name: record.profile, issuer: record.issuer, clientId: record.clientId, allowHttpLoopback: record.allowHttpLoopback,
        scopes: record.scopes, flow: 'client_credentials', clientAuth: record.clientAuth ?? 'client_secret_basic',
      }, { sessionId: id }, undefined);
    } catch (error) {
      const err = isDeskError(error) ? error : new DeskError('INTERNAL', 'The client credentials grant failed.', { cause: error });
      live.lastError = err;
      if (err.category === 'network') state.scheduler.planRetry(id);
      throw err;
    }
    const { refreshToken: _none, ...rest } = tokens;
    const held: HeldTokens = { ...rest, boundTo: { issuer: record.issuer, clientId: record.clientId } };
    live.tokens = held;
    live.lastError = undefined;
    const credential = await readClientCredential(state, record);
    if (credential !== undefined) await state.cache.write(id, credential.cacheKey, held);
    state.scheduler.succeeded(id);
    const updated = await state.patchRecord(id, (r) => ({ ...r, ...(tokens.expiresAt === undefined ? {} : { accessTokenExpiresAt: tokens.expiresAt }) }));
    if (tokens.expiresAt !== undefined) state.scheduler.planExpiry(id, tokens.expiresAt);
    return updated;
  });
}

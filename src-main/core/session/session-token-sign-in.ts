/**
 * The Okta session token sign-in (`okta_session_token`): discovery, the username and password sent once to
 * Okta's Authentication API, its one-time session token redeemed at the authorization endpoint by the core
 * itself, and the session stored like a browser sign-in's. The password and the session token are kept nowhere.
 * @module
 */
import type { SessionView } from '../contract.ts';
import { DeskError } from '../errors.ts';
import { fetchFor } from '../http/exchange-context.ts';
import { primaryAuthentication, type AuthnCredentials } from '../oauth/okta-authn.ts';
import { assertSessionTokenEndpoint, authorizeWithSessionToken } from '../oauth/session-token-authorize.ts';
import type { Profile } from '../profile.ts';
import type { SessionState } from './session-state.ts';
import { storeSignIn } from './store-session.ts';

/**
 * Signs in with an `okta_session_token` profile and stores the session. `flowId` names the sign-in's
 * exchanges (discovery, the Authentication API, the authorization request, the token request) until they
 * belong to the session. Discovery comes first: nothing is sent to a provider whose metadata is refused.
 */
export async function signInWithSessionToken(state: SessionState, profile: Profile, flowId: string, credentials: AuthnCredentials | undefined): Promise<SessionView> {
  if (profile.flow !== 'okta_session_token') throw new DeskError('USAGE', 'This profile does not sign in with an Okta session token.');
  if (credentials === undefined) throw new DeskError('USAGE', 'The Okta session token flow needs a username and a password.');
  const { now } = state.deps;
  const fetch = fetchFor(state.deps.fetch, { flowId });
  const provider = await state.providers.get(profile, { context: { flowId } });
  assertSessionTokenEndpoint(provider);
  const { sessionToken } = await primaryAuthentication(fetch, { issuer: profile.issuer, credentials, now });
  const { tokens, redirectUri } = await authorizeWithSessionToken(provider, { profile, sessionToken, fetch, now });
  return storeSignIn(state, { flowId, profile, provider, redirectUri, tokens, strayRequests: 0 });
}

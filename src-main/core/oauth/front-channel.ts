/**
 * The front channel of the implicit and hybrid flows (legacy): the authorization request made into theirs
 * (response type, response mode, a nonce always, PKCE only with a code), their authorization response
 * taken apart (state, RFC 9207 `iss` and errors through oauth4webapi; the parts the response type asks
 * for, and nothing else), the ID token that came with it verified (signature, claims, nonce, `at_hash`,
 * `c_hash`), and for the hybrid flow the code exchanged with PKCE and the two ID tokens compared.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitFlowAuth
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridFlowAuth
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import { responseModeFor, responseTypeParts, type FrontChannelResponseMode, type FrontChannelResponseType } from '../front-channel-flows.ts';
import type { Profile } from '../profile.ts';
import type { AuthorizationRequest } from './authorize.ts';
import type { ServerMetadata } from './discovery.ts';
import { validateIdToken, type ValidatedIdToken } from './id-token.ts';
import { mapOAuthError } from './oauth-errors.ts';
import { CLOCK_SKEW_SECONDS, type ProviderContext } from './provider-context.ts';
import { exchangeCode, type TokenSet } from './tokens.ts';

/** What a front-channel sign-in asks for and where its answer comes back. */
export interface FrontChannelRequest {
  readonly responseType: FrontChannelResponseType;
  readonly responseMode: FrontChannelResponseMode;
}

/** The front channel of a profile's sign-in: for the implicit and hybrid flows only (they have a response type). */
export function frontChannelRequestOf(profile: Pick<Profile, 'responseType' | 'redirect'>): FrontChannelRequest | undefined {
  return profile.responseType === undefined ? undefined : { responseType: profile.responseType, responseMode: responseModeFor(profile.redirect) };
}

/** Parameters that carry tokens: oauth4webapi's `validateAuthResponse` refuses them, so they are checked apart. */
const TOKEN_PARAMS = ['id_token', 'access_token', 'token_type', 'expires_in', 'scope'] as const;

/**
 * Makes a built code-flow authorization request into the front channel's: its `response_type` and
 * `response_mode`, and no PKCE challenge without a code to redeem (the hybrid flow keeps it). The nonce,
 * required by both flows, must be there (the profile requires the `openid` scope).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthRequest
 */
export function toFrontChannelRequest(request: AuthorizationRequest, front: FrontChannelRequest): AuthorizationRequest {
  if (request.nonce === undefined) throw new DeskError('PROFILE_INVALID', 'The implicit and hybrid flows need the "openid" scope (their nonce is required).');
  const url = new URL(request.url.href);
  url.searchParams.set('response_type', front.responseType);
  url.searchParams.set('response_mode', front.responseMode);
  if (!responseTypeParts(front.responseType).code) {
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
  }
  return { ...request, url };
}

function invalid(message: string): DeskError {
  return new DeskError('CALLBACK_INVALID', message);
}

/**
 * Checks a front-channel authorization response (fragment or form post parameters) before anything is
 * used: state and errors with oauth4webapi's `validateAuthResponse` (given the parameters without their
 * tokens), RFC 9207 `iss` (required when the provider announces it, unless an ID token came, whose own
 * `iss` is verified; compared when present either way), then exactly the parts the response type asks
 * for. Returns the validated parameters (branded by oauth4webapi for the code exchange) with the tokens
 * put back. Throws what oauth4webapi throws (the callback router maps it) or `CALLBACK_INVALID`.
 * @see https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#Combinations
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function validateFrontChannelResponse(metadata: ServerMetadata, client: oauth.Client, params: URLSearchParams, state: string, responseType: FrontChannelResponseType): URLSearchParams {
  const withoutTokens = new URLSearchParams(params);
  for (const name of TOKEN_PARAMS) withoutTokens.delete(name);
  const idToken = params.get('id_token');
  const server = idToken === null ? metadata : { ...metadata, authorization_response_iss_parameter_supported: false };
  const validated = oauth.validateAuthResponse(server, client, withoutTokens, state);
  const parts = responseTypeParts(responseType);
  const has = (name: string): boolean => (params.get(name) ?? '') !== '';
  const what = `response_type=${responseType}`;
  if (parts.code !== has('code')) throw invalid(parts.code ? `The response has no code, which ${what} asks for.` : `The response carries a code, which ${what} does not ask for; it was refused unused.`);
  if (parts.idToken !== has('id_token')) throw invalid(parts.idToken ? `The response has no ID token, which ${what} asks for.` : `The response carries an ID token, which ${what} does not ask for; it was refused unused.`);
  if (parts.accessToken !== has('access_token')) throw invalid(parts.accessToken ? `The response has no access token, which ${what} asks for.` : `The response carries an access token, which ${what} does not ask for; it was refused unused.`);
  if (parts.accessToken && !has('token_type')) throw invalid('The response has an access token without its token_type (RFC 6749 §4.2.2).');
  if (parts.accessToken && params.get('token_type')?.toLowerCase() !== 'bearer') throw invalid('The response\'s access token is not a Bearer token; OIDC Desk uses Bearer tokens only from the front channel.');
  for (const name of TOKEN_PARAMS) {
    const value = params.get(name);
    if (value !== null) validated.set(name, value);
  }
  return validated;
}

/** What a front-channel sign-in knows when its response arrives. */
export interface FrontChannelCompletion {
  readonly responseType: FrontChannelResponseType;
  /** The response as `validateFrontChannelResponse` returned it (its tokens included). */
  readonly params: URLSearchParams;
  readonly state: string;
  readonly nonce: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
  readonly maxAgeSeconds: number | undefined;
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
}

/** The front channel's ID token verified for this response: nonce required, and `at_hash` / `c_hash` for what came with it. */
async function verifyFrontChannelIdToken(ctx: ProviderContext, idToken: string, input: FrontChannelCompletion): Promise<ValidatedIdToken> {
  if (ctx.jwks === undefined) throw new DeskError('ID_TOKEN_SIGNATURE_INVALID', 'The provider sent an ID token but publishes no jwks_uri, so its signature cannot be checked.');
  const accessToken = input.params.get('access_token') ?? undefined;
  const code = input.params.get('code') ?? undefined;
  return validateIdToken(idToken, {
    issuer: ctx.issuer,
    audience: ctx.client.client_id,
    jwks: ctx.jwks,
    ...(ctx.metadata.id_token_signing_alg_values_supported === undefined ? {} : { allowedAlgs: ctx.metadata.id_token_signing_alg_values_supported }),
    nonce: input.nonce,
    requireNonce: true,
    ...(input.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: input.maxAgeSeconds }),
    ...(accessToken === undefined ? {} : { accessToken }),
    frontChannel: { code },
    now: input.now,
    skewSeconds: CLOCK_SKEW_SECONDS,
  });
}

/**
 * oauth4webapi's own check of a `code id_token` response (state, ID token signature and claims, nonce,
 * `c_hash`), after OIDC Desk's report passed: a second, independent verdict before the code is redeemed.
 */
async function crossCheckCodeIdToken(ctx: ProviderContext, input: FrontChannelCompletion): Promise<void> {
  try {
    await oauth.validateCodeIdTokenResponse(ctx.metadata, ctx.client, input.params, input.nonce, input.state, input.maxAgeSeconds ?? oauth.skipAuthTimeCheck, ctx.requestOptions);
  } catch (error) {
    throw mapOAuthError(error, 'ID_TOKEN_INVALID');
  }
}

/** A positive whole number of seconds from `expires_in`, or undefined. */
function expiresIn(value: string | null): number | undefined {
  if (value === null || !/^[0-9]{1,9}$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds > 0 ? seconds : undefined;
}

/**
 * Completes a front-channel sign-in from its validated response. Implicit: the ID token verified (and the
 * access token bound to it by `at_hash`) makes the token set; there is no refresh token. Hybrid: the front
 * channel's ID token verified first (`c_hash` binds the code to it; oauth4webapi checks `code id_token`
 * again), then the code exchanged with PKCE, the token endpoint's ID token verified as in the code flow and
 * required to name the same issuer and subject; its tokens are the ones kept. Throws a DeskError.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridTokenResponse
 */
export async function completeFrontChannel(ctx: ProviderContext, input: FrontChannelCompletion): Promise<TokenSet> {
  const parts = responseTypeParts(input.responseType);
  const idToken = input.params.get('id_token') ?? undefined;
  const front = idToken === undefined ? undefined : await verifyFrontChannelIdToken(ctx, idToken, input);
  if (!parts.code) {
    if (idToken === undefined || front === undefined) throw invalid('The response has no ID token.');
    const receivedAt = input.now();
    const seconds = expiresIn(input.params.get('expires_in'));
    const scope = input.params.get('scope');
    const accessToken = input.params.get('access_token') ?? undefined;
    return {
      accessToken,
      tokenType: accessToken === undefined ? '' : input.params.get('token_type') ?? 'Bearer',
      expiresAt: seconds === undefined ? undefined : receivedAt + seconds * 1000,
      scope: scope === null ? undefined : scope.split(' ').filter(Boolean),
      refreshToken: undefined,
      idToken,
      idTokenClaims: front.claims,
      idTokenReport: front.report,
      receivedAt,
      clockOffsetMs: undefined,
    };
  }
  if (front !== undefined) await crossCheckCodeIdToken(ctx, input);
  const tokens = await exchangeCode(ctx, {
    params: input.params,
    redirectUri: input.redirectUri,
    codeVerifier: input.codeVerifier,
    nonce: input.nonce,
    requireIdToken: true,
    now: input.now,
    maxAgeSeconds: input.maxAgeSeconds,
    signal: input.signal,
  });
  const back = tokens.idTokenClaims;
  if (front !== undefined && (back === undefined || back.iss !== front.claims.iss || back.sub !== front.claims.sub)) {
    throw new DeskError('ID_TOKEN_SUBJECT_MISMATCH', 'The token endpoint\'s ID token names another issuer or subject than the one that came in the redirect (OIDC Core §3.3.3.6 requires them to be the same), so the sign-in was refused.');
  }
  return tokens;
}

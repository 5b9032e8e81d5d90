/**
 * The implicit and hybrid flows (legacy): their response types, the response mode a redirect calls for,
 * and what every front says about them.
 * @module
 */
import { DeskError } from './errors.ts';
import type { RedirectMode } from './profile.ts';

/**
 * The implicit flow's response types: an ID token, or an ID token and an access token, straight from the
 * authorization endpoint (no token endpoint, no refresh token).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitFlowAuth
 */
export const IMPLICIT_RESPONSE_TYPES = ['id_token', 'id_token token'] as const;

/**
 * The hybrid flow's response types: a code (exchanged with PKCE at the token endpoint) and, from the
 * authorization endpoint too, an ID token, an access token, or both.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridFlowAuth
 */
export const HYBRID_RESPONSE_TYPES = ['code id_token', 'code token', 'code id_token token'] as const;

/** One of {@link IMPLICIT_RESPONSE_TYPES} or {@link HYBRID_RESPONSE_TYPES}. */
export type FrontChannelResponseType = (typeof IMPLICIT_RESPONSE_TYPES)[number] | (typeof HYBRID_RESPONSE_TYPES)[number];

/** The flows whose tokens come through the front channel (the browser's redirect). */
export type FrontChannelFlow = 'implicit' | 'hybrid';

/**
 * How the authorization response reaches the app: in the fragment of a private-use-scheme redirect (the
 * default of these response types), or as a form POST to the loopback listener, since a browser never
 * sends a fragment to a server.
 * @see https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html
 */
export type FrontChannelResponseMode = 'fragment' | 'form_post';

/**
 * What every front says about the implicit flow.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2
 */
export const IMPLICIT_FLOW_WARNING = 'Legacy flow: the implicit flow hands its tokens to the browser\'s redirect (the front channel), where they can leak or be injected, and nothing binds them to this app (no sender constraint); it issues no refresh token. RFC 9700 says not to use it: use the authorization code flow with PKCE.';

/**
 * What every front says about the hybrid flow.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2
 */
export const HYBRID_FLOW_WARNING = 'Legacy flow: the hybrid flow hands an ID token or an access token to the browser\'s redirect (the front channel), where they can leak or be injected, and nothing binds them to this app (no sender constraint). RFC 9700 recommends the authorization code flow with PKCE, which gets the same tokens from the token endpoint only.';

/** True for the implicit and hybrid flows. */
export function isFrontChannelFlow(flow: unknown): flow is FrontChannelFlow {
  return flow === 'implicit' || flow === 'hybrid';
}

/** The legacy warning of a front-channel flow. */
export function frontChannelWarning(flow: FrontChannelFlow): string {
  return flow === 'implicit' ? IMPLICIT_FLOW_WARNING : HYBRID_FLOW_WARNING;
}

/** The response types a flow may use; empty for a flow without a front channel. */
export function responseTypesOf(flow: unknown): readonly FrontChannelResponseType[] {
  if (flow === 'implicit') return IMPLICIT_RESPONSE_TYPES;
  if (flow === 'hybrid') return HYBRID_RESPONSE_TYPES;
  return [];
}

/** What a response type asks the authorization endpoint for. */
export function responseTypeParts(responseType: FrontChannelResponseType): { readonly code: boolean; readonly idToken: boolean; readonly accessToken: boolean } {
  const parts = responseType.split(' ');
  return { code: parts.includes('code'), idToken: parts.includes('id_token'), accessToken: parts.includes('token') };
}

/** The response mode of a front-channel sign-in with this redirect: `form_post` on loopback, else `fragment`. */
export function responseModeFor(redirect: RedirectMode): FrontChannelResponseMode {
  return redirect.kind === 'loopback' ? 'form_post' : 'fragment';
}

/**
 * Checks a profile's `responseType` against its flow: required for the implicit and hybrid flows (one of
 * theirs), refused for any other flow. Throws `PROFILE_INVALID`; the message never echoes the value.
 */
export function assertResponseType(flow: unknown, value: unknown): FrontChannelResponseType | undefined {
  const allowed = responseTypesOf(flow);
  if (allowed.length === 0) {
    if (value === undefined) return undefined;
    throw new DeskError('PROFILE_INVALID', 'A response type is chosen only for the implicit and hybrid flows; the other flows set their own.');
  }
  const found = allowed.find((t) => t === value);
  if (found === undefined) {
    throw new DeskError('PROFILE_INVALID', `The ${String(flow)} flow needs a response type: one of ${allowed.map((t) => `"${t}"`).join(', ')}.`);
  }
  return found;
}

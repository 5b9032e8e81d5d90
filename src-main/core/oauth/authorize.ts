/**
 * The authorization request: PKCE S256, state, nonce and the optional OpenID parameters.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError, type ErrorCode } from '../errors.ts';
import type { ServerMetadata } from './discovery.ts';

/** Optional parameters of one sign-in. */
export interface AuthorizationOptions {
  readonly prompt?: string;
  readonly loginHint?: string;
  readonly maxAge?: number;
  readonly acrValues?: string;
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** A built authorization request and the secrets that must stay with the app. */
export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly nonce: string | undefined;
  readonly codeVerifier: string;
  /** The `max_age` the request carries, seconds: the ID token's `auth_time` must then be that recent. */
  readonly maxAge: number | undefined;
}

/** Parameters the engine sets itself: an extra parameter may not name them. */
const ENGINE_PARAMS: ReadonlySet<string> = new Set([
  'client_id', 'redirect_uri', 'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'scope', 'request', 'request_uri',
]);

/** Parameters no flow of OIDC Desk supports yet, with the reason shown when one is given. */
const UNSUPPORTED_PARAMS: Readonly<Record<string, string>> = {
  response_mode: 'OIDC Desk sets the response mode itself (the query for the code flow; for the implicit and hybrid flows the fragment on a scheme, form_post on loopback); JWT response modes are not supported',
  dpop_jkt: 'OIDC Desk sends it itself for a profile with DPoP on (RFC 9449 §10), with the thumbprint of the session\'s own key',
};

/** Credentials and token-endpoint parameters that must never travel in a browser URL. */
const NEVER_IN_URL: ReadonlySet<string> = new Set(['client_secret', 'client_assertion', 'client_assertion_type', 'code_verifier', 'code', 'refresh_token', 'grant_type']);

/** What an extra parameter's name may look like. */
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A non-negative integer in canonical decimal form (no sign, no leading zero, no exponent). */
const NON_NEGATIVE_INTEGER = /^(0|[1-9][0-9]{0,15})$/;

function refuse(code: ErrorCode, message: string): never {
  throw new DeskError(code, message);
}

/**
 * Checks `max_age` (seconds): a non-negative safe integer, given as a number or as canonical decimal text.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export function parseMaxAge(value: unknown, code: ErrorCode): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !NON_NEGATIVE_INTEGER.test(text) || !Number.isSafeInteger(Number(text))) {
    refuse(code, 'max_age must be a whole number of seconds, 0 or more (e.g. max_age=3600).');
  }
  return Number(text);
}

/**
 * Checks extra authorization request parameters (from a profile or from one sign-in's options): a
 * well-formed name, not one the engine sets (`state`, `redirect_uri`, `response_type`, ...), not
 * `response_mode` (no flow supports it yet) or `dpop_jkt` (set by the engine for DPoP), no client credential or token-endpoint
 * parameter, and a valid `max_age`. Messages name the parameter only when it is one of these fixed
 * names, and never echo a value. Throws DeskError with `code`.
 */
export function assertExtraAuthorizationParams(params: unknown, code: ErrorCode): Readonly<Record<string, string>> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) refuse(code, 'Extra parameters must be name=value pairs.');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!PARAM_NAME.test(name) || typeof value !== 'string' || value.length > 2048) refuse(code, 'An extra parameter is not a valid name=value pair (the name is letters, digits, "_", "." or "-").');
    if (ENGINE_PARAMS.has(name)) refuse(code, `The parameter "${name}" is set by OIDC Desk itself and cannot be overridden.`);
    const unsupported = UNSUPPORTED_PARAMS[name];
    if (unsupported !== undefined) refuse(code, `The parameter "${name}" is refused: ${unsupported}.`);
    if (NEVER_IN_URL.has(name)) refuse(code, `The parameter "${name}" does not belong in an authorization request: it would travel in the browser's URL.`);
    if (name === 'max_age') parseMaxAge(value, code);
    out[name] = value;
  }
  return out;
}

/**
 * Builds the authorization request URL. PKCE is always S256 (RFC 8252 §8.1; `plain` is never used);
 * a nonce is sent whenever `openid` is requested. Extra parameters are checked with
 * {@link assertExtraAuthorizationParams} and `maxAge` with {@link parseMaxAge} (both `USAGE`); the
 * effective `max_age` (the option, else the extra parameter) is returned for the ID token check.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export async function buildAuthorizationRequest(input: {
  readonly metadata: ServerMetadata;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly options?: AuthorizationOptions;
  /** The thumbprint of the sign-in's DPoP key: binds the authorization code to it (RFC 9449 §10). */
  readonly dpopJkt?: string;
}): Promise<AuthorizationRequest> {
  const endpoint = input.metadata.authorization_endpoint;
  if (endpoint === undefined) throw new DeskError('DISCOVERY_FAILED', 'The provider has no authorization endpoint.');
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DeskError('DISCOVERY_FAILED', 'The authorization endpoint is not an http(s) URL.');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = input.scopes.includes('openid') ? oauth.generateRandomNonce() : undefined;
  const o = input.options ?? {};
  const extra = assertExtraAuthorizationParams(o.extraParams, 'USAGE');
  const optionMaxAge = o.maxAge === undefined ? undefined : parseMaxAge(o.maxAge, 'USAGE');
  const extraMaxAge = extra['max_age'] === undefined ? undefined : parseMaxAge(extra['max_age'], 'USAGE');
  const maxAge = optionMaxAge ?? extraMaxAge;
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', input.scopes.join(' '));
  url.searchParams.set('state', state);
  if (nonce !== undefined) url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (o.prompt !== undefined) url.searchParams.set('prompt', o.prompt);
  if (o.loginHint !== undefined) url.searchParams.set('login_hint', o.loginHint);
  if (maxAge !== undefined) url.searchParams.set('max_age', String(maxAge));
  if (o.acrValues !== undefined) url.searchParams.set('acr_values', o.acrValues);
  if (input.dpopJkt !== undefined) url.searchParams.set('dpop_jkt', input.dpopJkt);
  return { url, state, nonce, codeVerifier, maxAge };
}

/**
 * The authorization request: PKCE S256, state, nonce and the optional OpenID parameters.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
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
}

/**
 * Builds the authorization request URL. PKCE is always S256 (RFC 8252 §8.1; `plain` is never used);
 * a nonce is sent whenever `openid` is requested.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export async function buildAuthorizationRequest(input: {
  readonly metadata: ServerMetadata;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly options?: AuthorizationOptions;
}): Promise<AuthorizationRequest> {
  const endpoint = input.metadata.authorization_endpoint;
  if (endpoint === undefined) throw new DeskError('DISCOVERY_FAILED', 'The provider has no authorization endpoint.');
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DeskError('DISCOVERY_FAILED', 'The authorization endpoint is not an http(s) URL.');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = input.scopes.includes('openid') ? oauth.generateRandomNonce() : undefined;
  const o = input.options ?? {};
  for (const [k, v] of Object.entries(o.extraParams ?? {})) url.searchParams.set(k, v);
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
  if (o.maxAge !== undefined) url.searchParams.set('max_age', String(o.maxAge));
  if (o.acrValues !== undefined) url.searchParams.set('acr_values', o.acrValues);
  return { url, state, nonce, codeVerifier };
}

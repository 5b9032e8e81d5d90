/**
 * RP-initiated logout: the end-session request opened in the system browser.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import type { ServerMetadata } from './discovery.ts';

/**
 * Builds the end-session URL with `id_token_hint`, `post_logout_redirect_uri` and a fresh `state`.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function buildEndSessionRequest(input: {
  readonly metadata: ServerMetadata;
  readonly clientId: string;
  readonly idTokenHint: string | undefined;
  readonly postLogoutRedirectUri: string;
}): { readonly url: URL; readonly state: string } {
  const endpoint = input.metadata.end_session_endpoint;
  if (endpoint === undefined) throw new DeskError('ENDPOINT_NOT_SUPPORTED', 'The provider has no end_session_endpoint: it does not offer RP-initiated logout.');
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DeskError('DISCOVERY_FAILED', 'The end_session_endpoint is not an http(s) URL.');
  const state = oauth.generateRandomState();
  url.searchParams.set('client_id', input.clientId);
  if (input.idTokenHint !== undefined) url.searchParams.set('id_token_hint', input.idTokenHint);
  url.searchParams.set('post_logout_redirect_uri', input.postLogoutRedirectUri);
  url.searchParams.set('state', state);
  return { url, state };
}

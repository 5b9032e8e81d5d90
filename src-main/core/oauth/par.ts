/**
 * Pushed authorization requests (RFC 9126): whether a sign-in pushes its request (the profile's setting
 * and the provider's metadata), the push to the provider's PAR endpoint, and the browser's URL that is
 * left: `client_id` and `request_uri` only.
 * @see https://www.rfc-editor.org/rfc/rfc9126
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import type { ParMode } from '../profile.ts';
import type { AuthorizationRequest } from './authorize.ts';
import type { ServerMetadata } from './discovery.ts';
import { mapOAuthError } from './oauth-errors.ts';
import type { ProviderContext } from './provider-context.ts';

/** An authorization request that was pushed: its URL carries only `client_id` and `request_uri`. */
export interface PushedAuthorizationRequest extends AuthorizationRequest {
  /** Until when the provider takes the `request_uri` (once), ms since the epoch, engine clock. */
  readonly requestUriExpiresAt: number;
}

/** What the metadata says about PAR: the endpoint, and whether every request must be pushed. */
export function parSupport(metadata: ServerMetadata): { readonly supported: boolean; readonly required: boolean } {
  return {
    supported: typeof metadata.pushed_authorization_request_endpoint === 'string',
    required: metadata.require_pushed_authorization_requests === true,
  };
}

/**
 * Whether a sign-in with the profile's PAR setting pushes its request to this provider: `always`; `auto`
 * when the provider requires it; never with `never`. Decided before any listener or browser.
 * @throws DeskError `PAR_REQUIRED` (the provider requires PAR, the profile says never),
 *   `ENDPOINT_NOT_SUPPORTED` (PAR is wanted and the provider announces no PAR endpoint)
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-5
 */
export function pushesAuthorizationRequest(mode: ParMode, metadata: ServerMetadata): boolean {
  const { supported, required } = parSupport(metadata);
  if (mode === 'never') {
    if (required) throw new DeskError('PAR_REQUIRED', 'The provider requires pushed authorization requests (require_pushed_authorization_requests), and this profile\'s PAR setting is "never". Set it to "auto" (or "always"); nothing was sent.');
    return false;
  }
  if (mode === 'auto' && !required) return false;
  if (!supported) throw new DeskError('ENDPOINT_NOT_SUPPORTED', 'The provider announces no pushed_authorization_request_endpoint, so the request cannot be pushed (PAR). Set this profile\'s PAR setting to "auto" or "never".');
  return true;
}

/**
 * Pushes a built authorization request (PKCE challenge, state, nonce, `dpop_jkt`, every parameter) to the
 * provider as a public client, and returns it with the URL for the browser: the authorization endpoint
 * with `client_id` and the `request_uri` only. Its expiry is counted from before the push was sent.
 * @throws DeskError `AUTHORIZATION_ERROR` (the provider refused the request), `INVALID_CLIENT`, `HTTP_*`
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 */
export async function pushAuthorizationRequest(ctx: ProviderContext, request: AuthorizationRequest, options: { readonly now: () => number; readonly signal?: AbortSignal }): Promise<PushedAuthorizationRequest> {
  const sentAt = options.now();
  let pushed: oauth.PushedAuthorizationResponse;
  try {
    const response = await oauth.pushedAuthorizationRequest(ctx.metadata, ctx.client, oauth.None(), request.url.searchParams, {
      ...ctx.requestOptions,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    pushed = await oauth.processPushedAuthorizationResponse(ctx.metadata, ctx.client, response);
  } catch (error) {
    throw refused(mapOAuthError(error, 'AUTHORIZATION_ERROR'), error);
  }
  if (!(pushed.expires_in > 0)) throw new DeskError('AUTHORIZATION_ERROR', 'The provider answered the pushed authorization request with a request_uri that has already expired.');
  const endpoint = ctx.metadata.authorization_endpoint;
  if (endpoint === undefined) throw new DeskError('DISCOVERY_FAILED', 'The provider has no authorization endpoint.');
  const url = new URL(endpoint);
  url.searchParams.set('client_id', ctx.client.client_id);
  url.searchParams.set('request_uri', pushed.request_uri);
  return { ...request, url, requestUriExpiresAt: sentAt + pushed.expires_in * 1000 };
}

/** An OAuth refusal of the push reads as the authorization request's (not a token request's); the rest stays as mapped. */
function refused(mapped: DeskError, cause: unknown): DeskError {
  if (mapped.code !== 'TOKEN_ERROR') return mapped;
  return new DeskError('AUTHORIZATION_ERROR', mapped.message, {
    cause,
    ...(mapped.oauthError === undefined ? {} : { oauthError: mapped.oauthError }),
    ...(mapped.oauthErrorDescription === undefined ? {} : { oauthErrorDescription: mapped.oauthErrorDescription }),
    ...(mapped.status === undefined ? {} : { status: mapped.status }),
  });
}

/** The error of a pushed request whose `request_uri` expired before the browser was sent to it. */
export function requestUriExpired(): DeskError {
  return new DeskError('PAR_REQUEST_EXPIRED', 'The pushed authorization request expired before the browser was sent to it (the provider takes its request_uri once, for a short time). Start the sign-in again.');
}

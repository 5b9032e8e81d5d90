/**
 * The device authorization request of the device authorization grant (RFC 8628 §3.1-3.3), and the checks
 * on what the provider says a person should see there (the verification URI, the user code) before any
 * front shows or opens it.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import { hasControlCharacters, isLoopbackHost } from '../profile.ts';
import { mapOAuthError } from './oauth-errors.ts';
import type { ProviderContext } from './provider-context.ts';

/** The polling interval when the provider names none (RFC 8628 §3.2). */
export const DEFAULT_INTERVAL_SECONDS = 5;
/** The longest interval kept from a provider: a larger one would leave the person waiting for nothing. */
export const MAX_INTERVAL_SECONDS = 300;
/** The longest user code shown: RFC 8628 §6.1 asks for short codes (Okta's and oidc-provider's have 9 characters). */
export const MAX_USER_CODE_LENGTH = 64;
/** The longest lifetime kept from a provider: a day, as for any sign-in. */
const MAX_EXPIRES_IN_SECONDS = 24 * 60 * 60;

/** A device authorization response, checked. `deviceCode` is a secret: it stays in the core. */
export interface DeviceAuthorization {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete: string | undefined;
  readonly expiresInSeconds: number;
  readonly intervalSeconds: number;
}

function invalid(message: string): never {
  throw new DeskError('DEVICE_AUTHORIZATION_INVALID', message);
}

/** Bidirectional formatting characters: they can make a code or a URL read as something else. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Checks a verification URI from the provider before it is shown or opened: an absolute https URL, or
 * http on a loopback host when the profile allows a provider on this computer; no credentials, no control
 * or bidirectional formatting characters, no white space, at most 2048 characters. The message never
 * repeats the value (provider text).
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3
 */
export function assertVerificationUri(value: unknown, allowHttpLoopback: boolean, field = 'verification_uri'): string {
  const why = `The provider's ${field} cannot be shown or opened`;
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) invalid(`${why}: it is not a URL of at most 2048 characters.`);
  // The WHATWG URL parser drops TAB and line breaks silently: the text as sent is checked first.
  if (hasControlCharacters(value) || BIDI_CONTROLS.test(value) || /\s/.test(value)) invalid(`${why}: it holds control characters or white space.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(`${why}: it is not a valid URL.`);
  }
  if (url.username !== '' || url.password !== '') invalid(`${why}: it holds credentials.`);
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && allowHttpLoopback && isLoopbackHost(url.hostname)) return value;
  invalid(`${why}: only https is accepted (http only on this computer's loopback, for a profile that allows a local provider).`);
}

/**
 * Checks a user code before it is shown: 1 to {@link MAX_USER_CODE_LENGTH} characters of letters, digits,
 * punctuation, symbols and spaces (no control or formatting character, no line break), not blank.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-6.1
 */
export function assertUserCode(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_USER_CODE_LENGTH) {
    invalid(`The provider's user_code is not a short text (1 to ${MAX_USER_CODE_LENGTH} characters).`);
  }
  if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u.test(value)) invalid('The provider\'s user_code holds control, formatting or white-space characters other than a space.');
  return value;
}

/** The interval to poll at, seconds: the provider's (at least 1 s, at most {@link MAX_INTERVAL_SECONDS}), else 5. */
function intervalOf(value: unknown): number {
  if (value === undefined) return DEFAULT_INTERVAL_SECONDS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) invalid('The provider\'s interval is not a positive number of seconds.');
  return Math.min(Math.max(1, Math.ceil(value)), MAX_INTERVAL_SECONDS);
}

/**
 * Asks the provider for a device code and a user code (the client authenticated as its profile says) and
 * checks the answer: `ENDPOINT_NOT_SUPPORTED` when the provider offers no device authorization endpoint,
 * `DEVICE_AUTHORIZATION_INVALID` for an answer that cannot be shown, the OAuth error's code for a refusal
 * (`UNAUTHORIZED_CLIENT` when the client may not use the grant), `HTTP_STATUS` for a provider failure.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export async function requestDeviceAuthorization(ctx: ProviderContext, input: {
  readonly clientAuth: oauth.ClientAuth;
  readonly scopes: readonly string[];
  readonly extraParams: Readonly<Record<string, string>>;
  /** Allows http verification URIs on loopback (the profile's permission for a local provider). */
  readonly allowHttpLoopback: boolean;
  readonly signal?: AbortSignal | undefined;
}): Promise<DeviceAuthorization> {
  if (typeof ctx.metadata.device_authorization_endpoint !== 'string') {
    throw new DeskError('ENDPOINT_NOT_SUPPORTED', 'The provider announces no device authorization endpoint (RFC 8628): it does not offer the device flow, or not to this authorization server. Use the authorization code flow, or enable the grant at the provider.');
  }
  const parameters: Record<string, string> = { ...input.extraParams, ...(input.scopes.length === 0 ? {} : { scope: input.scopes.join(' ') }) };
  let response: Response;
  try {
    response = await oauth.deviceAuthorizationRequest(ctx.metadata, ctx.client, input.clientAuth, parameters, {
      ...ctx.requestOptions,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    throw mapOAuthError(error, 'DEVICE_AUTHORIZATION_INVALID');
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new DeskError('HTTP_STATUS', `The provider's device authorization endpoint failed (HTTP ${response.status}); try again later.`, { status: response.status });
  }
  let answer: oauth.DeviceAuthorizationResponse;
  try {
    answer = await oauth.processDeviceAuthorizationResponse(ctx.metadata, ctx.client, response);
  } catch (error) {
    const mapped = mapOAuthError(error, 'DEVICE_AUTHORIZATION_INVALID');
    // An OAuth refusal keeps its own code; anything else about this answer is an invalid device authorization.
    throw mapped.oauthError === undefined && mapped.category !== 'network' ? new DeskError('DEVICE_AUTHORIZATION_INVALID', 'The provider\'s device authorization response is not valid (RFC 8628 §3.2).', { cause: error, ...(mapped.status === undefined ? {} : { status: mapped.status }) }) : mapped;
  }
  const expires = answer.expires_in;
  if (typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0) invalid('The provider\'s expires_in is not a positive number of seconds.');
  return {
    deviceCode: answer.device_code,
    userCode: assertUserCode(answer.user_code),
    verificationUri: assertVerificationUri(answer.verification_uri, input.allowHttpLoopback),
    verificationUriComplete: answer.verification_uri_complete === undefined ? undefined : assertVerificationUri(answer.verification_uri_complete, input.allowHttpLoopback, 'verification_uri_complete'),
    expiresInSeconds: Math.min(expires, MAX_EXPIRES_IN_SECONDS),
    intervalSeconds: intervalOf(answer.interval),
  };
}

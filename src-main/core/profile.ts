/**
 * Profiles: which provider, which client, which scopes and which redirect a sign-in uses, validated.
 * @module
 */
import { DeskError } from './errors.ts';
import { isReverseDomainScheme } from './deep-link.ts';
import { assertResponseType, isFrontChannelFlow, type FrontChannelResponseType } from './front-channel-flows.ts';
import { assertExtraAuthorizationParams } from './oauth/authorize.ts';
import { isOriginFormPath } from './oauth/loopback.ts';

/** The app's own private-use URI scheme (RFC 8252 §7.1, reverse-domain form). */
export const APP_SCHEME = 'dev.oidcdesk';
/** The app's default redirect URI on its own scheme. */
export const APP_REDIRECT_URI = `${APP_SCHEME}:/callback`;
/** The app's post-logout redirect URI on its own scheme. */
export const APP_POST_LOGOUT_REDIRECT_URI = `${APP_SCHEME}:/logout`;

/**
 * How the authorization response comes back to the app. A `loopback` redirect without `uri` listens on
 * 127.0.0.1, a free port each time, path `/callback`; with `uri` (for providers that compare the port)
 * it is exactly that URI, see {@link parseLoopbackRedirectUri}.
 */
export type RedirectMode =
  | { readonly kind: 'app-scheme' }
  | { readonly kind: 'custom-scheme'; readonly uri: string }
  | { readonly kind: 'loopback'; readonly uri?: string };

/**
 * The grant a profile signs in with: a closed list that later flows extend. `authorization_code` (PKCE
 * through the system browser) for people; `client_credentials` for a service with no user;
 * `password` (resource owner password, legacy: RFC 9700 §2.4 says it must not be used) for trusted
 * first-party tools only; `okta_session_token` (Okta only, classic engine) the code flow with PKCE whose
 * user authentication goes through Okta's Authentication API instead of a browser; `device_code` (the device
 * authorization grant) for an input-constrained device, or to sign in on another device (a phone) by entering
 * a short code there; `implicit` and `hybrid` (legacy: tokens in the browser's redirect, RFC 9700 §2.1.2) with
 * the response type of the profile (see front-channel-flows.ts).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 * @see https://www.rfc-editor.org/rfc/rfc8628
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitFlowAuth
 */
export const FLOWS = ['authorization_code', 'client_credentials', 'password', 'okta_session_token', 'implicit', 'hybrid', 'device_code'] as const;
/** One of {@link FLOWS}. */
export type Flow = (typeof FLOWS)[number];

/**
 * True for the flows whose answer comes back on a redirect URI registered at the provider: the code flow,
 * the implicit and hybrid flows, and Okta's session token flow (its redirect is read from Okta's answer,
 * not listened on, but it is still sent and must be registered). The others (client credentials, password,
 * device code) talk to the token endpoint only, so their profile's redirect setting means nothing.
 */
export function usesRedirect(flow: Flow): boolean {
  return flow === 'authorization_code' || flow === 'okta_session_token' || isFrontChannelFlow(flow);
}

/**
 * True for the flows that can get a refresh token. The implicit flow returns its tokens in the browser's
 * redirect, never a refresh token (OIDC Core §3.2.2.5); a client credentials grant should not get one
 * (RFC 6749 §4.4.3).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthResponse
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.3
 */
export function mayGetRefreshToken(flow: Flow): boolean {
  return flow !== 'implicit' && flow !== 'client_credentials';
}

/** The scopes a profile gets when it names none: `offline_access` only where a refresh token can come. */
export function defaultScopes(flow: Flow): string {
  if (flow === 'client_credentials') return '';
  return mayGetRefreshToken(flow) ? 'openid profile email offline_access' : 'openid profile email';
}

/** What every front says about an implicit profile that asks for `offline_access` (kept: the provider may want it asked). */
export const OFFLINE_ACCESS_UNUSED_WARNING = 'The scope "offline_access" asks for a refresh token, which the implicit flow never gets: it does nothing here.';

/**
 * What every front says about the resource owner password flow.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 */
export const PASSWORD_FLOW_WARNING = 'Legacy flow: the resource owner password grant hands the password to this app; RFC 9700 says it must not be used. Use it only with a trusted first-party client in a trusted environment, and prefer the authorization code flow.';

/**
 * What every front says about the Okta session token flow: Okta-specific, classic engine only, and the
 * password goes from this app to Okta's Authentication API instead of to Okta's page in the browser.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 */
export const OKTA_SESSION_TOKEN_WARNING = 'Okta only, classic engine (an Okta Identity Engine org may refuse the Authentication API): this app sends the password to Okta\'s Authentication API itself, not to Okta\'s sign-in page in your browser, so multi-factor sign-in is not possible this way. Use it only where the browser sign-in cannot be, and prefer the authorization code flow.';

/**
 * How the client authenticates at the token endpoint: `none` (a public native client) or one of the
 * confidential methods, whose secret or private key lives only in the keychain.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
export const CLIENT_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
/** One of {@link CLIENT_AUTH_METHODS}. */
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/**
 * When a sign-in pushes its authorization request to the provider first (RFC 9126): `auto` when the
 * provider's metadata says `require_pushed_authorization_requests`, `always`, or `never`.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-5
 */
export const PAR_MODES = ['auto', 'always', 'never'] as const;
/** One of {@link PAR_MODES}. */
export type ParMode = (typeof PAR_MODES)[number];

/** A fixed loopback redirect URI taken apart: what the listener binds and serves. */
export interface LoopbackRedirect {
  /** The URI exactly as registered at the provider and sent as `redirect_uri`. */
  readonly uri: string;
  /** The address to bind: an IP literal, never `localhost` (RFC 8252 §8.3). */
  readonly host: '127.0.0.1' | '::1';
  readonly port: number;
  readonly path: string;
}

/** A validated profile. */
export interface Profile {
  readonly name: string;
  /** The issuer identifier exactly as the provider states it (no trailing slash added or removed). */
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly redirect: RedirectMode;
  /** Allows an `http:` issuer, and only on a loopback host (local test providers). */
  readonly allowHttpLoopback: boolean;
  /** Extra authorization request parameters (e.g. `prompt`, `resource`, `max_age`, Okta's `idp`), checked by `assertExtraAuthorizationParams`. */
  readonly extraParams: Readonly<Record<string, string>>;
  /** The grant this profile signs in with. */
  readonly flow: Flow;
  /** The client authentication at the token endpoint. */
  readonly clientAuth: ClientAuthMethod;
  /** Pushed authorization requests (RFC 9126), for the authorization code flow. */
  readonly par: ParMode;
  /** DPoP (RFC 9449): the session's tokens are bound to a key pair of its own, for the authorization code flow. */
  readonly dpop: boolean;
  /** The `response_type` of an implicit or hybrid profile; absent for every other flow. */
  readonly responseType?: FrontChannelResponseType;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** True when `value` holds a C0 control character, DEL or a C1 control character (TAB, CR and LF included). */
export function hasControlCharacters(value: string): boolean {
  return /[\x00-\x1f\x7f-\x9f]/.test(value);
}

/** True when `host` (URL.hostname form) is a loopback address. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host);
}

function fail(message: string, code: 'PROFILE_INVALID' | 'ISSUER_INVALID' | 'ISSUER_INSECURE' | 'REDIRECT_SCHEME_INVALID' = 'PROFILE_INVALID'): never {
  throw new DeskError(code, message);
}

/**
 * Checks an issuer identifier: an absolute https URL without query or fragment; `http:` only on a
 * loopback host and only when the profile allows it. Control characters are refused outright: the
 * WHATWG URL parser would drop TAB/CR/LF silently, and the issuer is compared and shown as written.
 * Error messages never echo the value (it may be a pasted secret).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function assertIssuer(value: unknown, allowHttpLoopback: boolean): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) fail('The issuer must be a URL such as https://dev-123.okta.com/oauth2/default.', 'ISSUER_INVALID');
  if (hasControlCharacters(value)) fail('The issuer contains control characters (a tab, line break or terminal escape); copy it again from the provider.', 'ISSUER_INVALID');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('The issuer is not a valid URL. Use the full URL, e.g. https://dev-123.okta.com/oauth2/default.', 'ISSUER_INVALID');
  }
  if (url.search || url.hash || value.includes('#') || value.includes('?')) fail('The issuer must not contain a query or fragment.', 'ISSUER_INVALID');
  if (url.username || url.password) fail('The issuer must not contain credentials.', 'ISSUER_INVALID');
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) fail('The issuer uses http: only https is allowed for a remote provider.', 'ISSUER_INSECURE');
    if (!allowHttpLoopback) fail('The issuer uses http: allow http on loopback for this profile to use a provider on this computer.', 'ISSUER_INSECURE');
  } else if (url.protocol !== 'https:') {
    fail('The issuer must be an https URL.', 'ISSUER_INVALID');
  }
  return value;
}

/**
 * Checks a custom-scheme redirect URI: a private-use scheme in reverse-domain form with a path,
 * e.g. `com.okta.dev-123:/callback`, without control characters. Error messages never echo the value.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.1
 */
export function assertCustomRedirectUri(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) fail('The redirect URI must be text.', 'REDIRECT_SCHEME_INVALID');
  if (hasControlCharacters(value)) fail('The redirect URI contains control characters (a tab, line break or terminal escape).', 'REDIRECT_SCHEME_INVALID');
  const colon = value.indexOf(':');
  const scheme = colon > 0 ? value.slice(0, colon) : '';
  if (!isReverseDomainScheme(scheme)) {
    fail('The redirect URI does not use a private-use scheme in reverse-domain form (RFC 8252 §7.1), such as com.example.app:/callback. Use loopback or a scheme based on a domain you control (Okta suggests com.okta.<org>).', 'REDIRECT_SCHEME_INVALID');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('The redirect URI is not a valid URI.', 'REDIRECT_SCHEME_INVALID');
  }
  if (url.hash) fail('The redirect URI must not contain a fragment.', 'REDIRECT_SCHEME_INVALID');
  return value;
}

const FIXED_LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]):([0-9]{1,5})(\/.*)$/;

/**
 * Checks a fixed loopback redirect URI, `http://127.0.0.1:<port><path>` or `http://[::1]:<port><path>`,
 * for providers that compare the registered URI port included (RFC 8252 §7.3 says they should not).
 * The port is 1-65535 written without leading zeros, the path is in origin form without dot segments,
 * and there is no query, fragment or credentials, so the URI is sent exactly as written. `localhost`
 * is refused (RFC 8252 §8.3). Error messages never echo the value (it may be a pasted secret).
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3
 */
export function parseLoopbackRedirectUri(value: unknown): LoopbackRedirect {
  const invalid = (why: string): never => fail(`The loopback redirect URI ${why}. Write it as http://127.0.0.1:<port>/<path>, e.g. http://127.0.0.1:8765/callback, or use "loopback" for a free port each time.`, 'REDIRECT_SCHEME_INVALID');
  if (typeof value !== 'string' || value.length > 300) return invalid('must be text of at most 300 characters');
  if (hasControlCharacters(value)) return invalid('contains control characters');
  if (!/^http:\/\//.test(value)) return invalid('must start with http:// (in lower case)');
  const authorityEnd = value.indexOf('/', 'http://'.length);
  const authority = value.slice('http://'.length, authorityEnd === -1 ? undefined : authorityEnd);
  if (authority.includes('@')) return invalid('must not contain credentials');
  if (/^localhost(:|$)/i.test(authority)) return invalid('must use the IP literal 127.0.0.1 or [::1], not localhost (RFC 8252 §8.3)');
  if (!/^(127\.0\.0\.1|\[::1\])(:|$)/.test(authority)) return invalid('must be on 127.0.0.1 or [::1]');
  if (!authority.includes(':', authority.startsWith('[') ? authority.indexOf(']') : 0)) return invalid('needs a port: a fixed loopback redirect is for providers that compare the port');
  if (value.includes('?') || value.includes('#')) return invalid('must not contain a query or fragment');
  const match = FIXED_LOOPBACK.exec(value);
  if (match === null) return invalid('needs a port of digits and an absolute path');
  const [, hostText = '', portText = '', path = ''] = match;
  const port = Number(portText);
  if (!/^[1-9]/.test(portText) || port > 65535) return invalid('needs a port from 1 to 65535, without leading zeros');
  if (!isOriginFormPath(path)) return invalid('needs a path of URL characters only, without dot segments (e.g. /callback)');
  return { uri: value, host: hostText === '[::1]' ? '::1' : '127.0.0.1', port, path };
}

function assertName(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) {
    fail('A profile name is 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit.');
  }
  return value;
}

function assertScopes(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length === 0) fail('At least one scope is needed, e.g. "openid profile email offline_access".');
  const out: string[] = [];
  for (const scope of list) {
    // RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E
    if (typeof scope !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) fail('A scope contains characters RFC 6749 does not allow.');
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

function assertRedirect(value: unknown): RedirectMode {
  if (value === undefined || value === null || value === 'app-scheme' || value === APP_REDIRECT_URI) return { kind: 'app-scheme' };
  if (value === 'loopback') return { kind: 'loopback' };
  if (typeof value === 'object' && value !== null && 'kind' in value) {
    const v = value as { kind: unknown; uri?: unknown };
    if (v.kind === 'app-scheme') return { kind: 'app-scheme' };
    if (v.kind === 'loopback') return v.uri === undefined ? { kind: 'loopback' } : { kind: 'loopback', uri: parseLoopbackRedirectUri(v.uri).uri };
    if (v.kind === 'custom-scheme') return { kind: 'custom-scheme', uri: assertCustomRedirectUri(v.uri) };
  }
  if (typeof value === 'string') {
    if (/^https:/i.test(value)) fail('A redirect on https is not used: choose "loopback" (OIDC Desk picks 127.0.0.1 and a free port), a fixed http://127.0.0.1:<port>/<path>, or a custom scheme.', 'REDIRECT_SCHEME_INVALID');
    if (/^http:/i.test(value)) return { kind: 'loopback', uri: parseLoopbackRedirectUri(value).uri };
    return { kind: 'custom-scheme', uri: assertCustomRedirectUri(value) };
  }
  fail('The redirect must be "loopback", a loopback URI http://127.0.0.1:<port>/<path>, "app-scheme" or a custom-scheme URI.', 'REDIRECT_SCHEME_INVALID');
}

function assertFlow(value: unknown): Flow {
  if (value === undefined) return 'authorization_code';
  if (typeof value === 'string' && (FLOWS as readonly string[]).includes(value)) return value as Flow;
  fail(`The flow must be one of: ${FLOWS.join(', ')}.`);
}

function assertClientAuth(value: unknown, flow: Flow): ClientAuthMethod {
  const method = value ?? (flow === 'client_credentials' ? 'client_secret_basic' : 'none');
  if (typeof method !== 'string' || !(CLIENT_AUTH_METHODS as readonly string[]).includes(method)) fail(`The client authentication must be one of: ${CLIENT_AUTH_METHODS.join(', ')}.`);
  // RFC 6749 §4.4: only a confidential client may use client credentials.
  if (flow === 'client_credentials' && method === 'none') fail('The client credentials flow needs a confidential client: choose client_secret_basic, client_secret_post or private_key_jwt.');
  // The code flow here is a native app's: a public client with PKCE (RFC 8252 §8.5), no secret to keep.
  if (flow === 'authorization_code' && method !== 'none') fail('The authorization code flow runs as a native public client (client authentication none, PKCE); a client secret is for the client credentials and password flows.');
  if (flow === 'okta_session_token' && method !== 'none') fail('The Okta session token flow is the code flow of a native public client (client authentication none, PKCE): it takes no client secret.');
  if (isFrontChannelFlow(flow) && method !== 'none') fail(`The ${flow} flow runs as a native public client (client authentication none); a client secret is for the client credentials and password flows.`);
  return method as ClientAuthMethod;
}

/** Narrows untrusted input (IPC, argv, a profiles file) to a {@link Profile}, or throws a DeskError. */
export function parseProfile(input: unknown): Profile {
  if (typeof input !== 'object' || input === null) fail('A profile must be an object.');
  const raw = input as Record<string, unknown>;
  const flow = assertFlow(raw.flow);
  const clientAuth = assertClientAuth(raw.clientAuth, flow);
  // A service has no user: no ID token, no refresh token (RFC 6749 §4.4.3), so no openid scope and none by default.
  const scopes = flow === 'client_credentials' ? assertServiceScopes(raw.scopes) : assertScopes(raw.scopes ?? defaultScopes(flow));
  // OpenID Connect defines these flows: the ID token and its nonce are what bind the response to the sign-in.
  if (isFrontChannelFlow(flow) && !scopes.includes('openid')) fail(`The ${flow} flow is OpenID Connect: its scopes must include "openid".`);
  const responseType = assertResponseType(flow, raw.responseType);
  const allowHttpLoopback = raw.allowHttpLoopback === true;
  const clientId = raw.clientId;
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 256 || /\s/.test(clientId) || hasControlCharacters(clientId)) {
    fail('The client id is missing or invalid: copy it from the provider (in Okta: Applications > your Native app > Client ID).');
  }
  return {
    name: assertName(raw.name),
    issuer: assertIssuer(raw.issuer, allowHttpLoopback),
    clientId,
    scopes,
    redirect: assertRedirect(raw.redirect),
    allowHttpLoopback,
    extraParams: assertExtraAuthorizationParams(raw.extraParams, 'PROFILE_INVALID'),
    flow,
    clientAuth,
    par: assertParMode(raw.par, flow),
    dpop: assertDpop(raw.dpop, flow),
    ...(responseType === undefined ? {} : { responseType }),
  };
}

/** The PAR setting: `auto` when absent (profiles saved before it existed); anything but `auto` only for the code flow. */
function assertParMode(value: unknown, flow: Flow): ParMode {
  if (value === undefined) return 'auto';
  if (typeof value !== 'string' || !(PAR_MODES as readonly string[]).includes(value)) fail(`The PAR setting must be one of: ${PAR_MODES.join(', ')}.`);
  if (value !== 'auto' && flow !== 'authorization_code') fail('Pushed authorization requests (PAR) are part of the authorization code flow: leave PAR on auto for this flow.');
  return value as ParMode;
}

/** The DPoP setting: off when absent (profiles saved before it existed); on only for the code flow. */
function assertDpop(value: unknown, flow: Flow): boolean {
  if (value === undefined || value === false) return false;
  if (value !== true) fail('The DPoP setting must be true or false.');
  if (flow !== 'authorization_code') fail('DPoP is offered for the authorization code flow: turn DPoP off for this flow.');
  return true;
}

/** Scopes of a client credentials profile: possibly none (the provider's default), never `openid`. */
function assertServiceScopes(value: unknown): string[] {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return [];
  const scopes = assertScopes(value);
  if (scopes.includes('openid') || scopes.includes('offline_access')) fail('A client credentials token is for the client itself: no user, so no "openid" and no "offline_access" scope (use the API\'s own scopes, e.g. "api:read").');
  return scopes;
}

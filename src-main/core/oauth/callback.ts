/**
 * The callback router: the single entry for every authorization response (custom scheme, loopback,
 * cold-start argv, OS hand-off). It refuses bad input before reading parameters, finds the pending
 * flow by `state`, consumes it exactly once, and validates the response (RFC 9207 `iss`, errors). The
 * implicit and hybrid flows' responses come in the fragment of a deep link, or as a form post to the
 * loopback listener (`handleFormPost`), and only for a flow that expects them there.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import type { FrontChannelResponseMode } from '../front-channel-flows.ts';
import { issProblem, oauthErrorMessage } from './oauth-errors.ts';
import type { PendingEntry, PendingFlows } from './pending.ts';

/** Largest callback URL accepted (SECURITY.md: > 8 KiB is refused unread). */
export const MAX_CALLBACK_URL_LENGTH = 8 * 1024;
/** Largest form post body accepted (a form post response carries an ID token and an access token: a few KiB). */
export const MAX_FORM_POST_BYTES = 64 * 1024;

/** What the router needs of a pending flow. */
export interface RoutableFlow extends PendingEntry {
  /** An authorization response (validated as one) or a return from RP-initiated logout (state only). */
  readonly kind: 'authorization' | 'logout';
  readonly redirectUri: string;
  readonly metadata: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  /**
   * Where the response's parameters are: the query (the code flow, and the default), the fragment or a form
   * post (the implicit and hybrid flows). A response found anywhere else is refused.
   */
  readonly responseMode?: 'query' | FrontChannelResponseMode;
  /** For a fragment or form post response: validates its parameters (state, `iss`, its parts) and returns them. */
  validateFrontChannel?(params: URLSearchParams, state: string): URLSearchParams;
  /** Called once with the validated parameters; performs the code exchange. */
  complete(params: URLSearchParams): Promise<void>;
  /** Called once when the flow ends in an error after it was taken. */
  fail(error: DeskError): void;
}

/** Which URLs may be callbacks at all: our schemes, and http on a loopback IP literal. */
function assertCallbackShape(raw: unknown, schemes: ReadonlySet<string>): URL {
  if (typeof raw !== 'string') throw new DeskError('CALLBACK_MALFORMED', 'The callback is not a URL.');
  if (Buffer.byteLength(raw, 'utf8') > MAX_CALLBACK_URL_LENGTH) throw new DeskError('CALLBACK_TOO_LARGE', `The callback URL is longer than ${MAX_CALLBACK_URL_LENGTH} bytes and was refused.`);
  if (/[\x00-\x20\x7f]/.test(raw)) throw new DeskError('CALLBACK_MALFORMED', 'The callback URL contains control characters or spaces.');
  const colon = raw.indexOf(':');
  const scheme = colon > 0 ? raw.slice(0, colon).toLowerCase() : '';
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new DeskError('CALLBACK_MALFORMED', 'The callback has no URL scheme.');
  let url: URL;
  if (scheme === 'http') {
    try {
      url = new URL(raw);
    } catch {
      throw new DeskError('CALLBACK_MALFORMED', 'The callback URL cannot be parsed.');
    }
    if (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]') throw new DeskError('CALLBACK_FOREIGN_SCHEME', 'An http callback is only accepted on the loopback address.');
  } else {
    if (!schemes.has(scheme)) throw new DeskError('CALLBACK_FOREIGN_SCHEME', `"${scheme.slice(0, 40)}:" is not a redirect scheme of OIDC Desk; the URL was ignored.`);
    try {
      url = new URL(raw);
    } catch {
      throw new DeskError('CALLBACK_MALFORMED', 'The callback URL cannot be parsed.');
    }
  }
  assertPercentEncoding(url.search.slice(1));
  return url;
}

/** Refuses form-encoded text (a query, a fragment, a form body) with invalid percent-encoding. */
function assertPercentEncoding(text: string): void {
  for (const part of text.split('&')) {
    try {
      decodeURIComponent(part.replaceAll('+', ' '));
    } catch {
      throw new DeskError('CALLBACK_MALFORMED', 'The callback URL has invalid percent-encoding.');
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True when the URL's query carries `state` exactly once and it equals `expected`, compared in
 * constant time (digests of equal length, so neither content nor length leaks through timing). The
 * loopback receiver uses it to tell the pending flow's callback from stray requests before anything
 * is consumed. Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function carriesState(url: string, expected: string): boolean {
  if (typeof url !== 'string' || typeof expected !== 'string' || expected === '') return false;
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return false;
  const hashAt = url.indexOf('#', queryAt);
  const all = new URLSearchParams(url.slice(queryAt + 1, hashAt === -1 ? undefined : hashAt)).getAll('state');
  if (all.length !== 1) return false;
  return timingSafeEqual(digest(all[0] ?? ''), digest(expected));
}

/**
 * True when form parameters (a form post's body) carry `state` exactly once and it equals `expected`,
 * compared in constant time like {@link carriesState}. Never throws.
 */
export function paramsCarryState(params: URLSearchParams, expected: string): boolean {
  if (!(params instanceof URLSearchParams) || typeof expected !== 'string' || expected === '') return false;
  const all = params.getAll('state');
  if (all.length !== 1) return false;
  return timingSafeEqual(digest(all[0] ?? ''), digest(expected));
}

/** The part of a redirect URI a callback must match: scheme, authority and path. */
function redirectTarget(uri: string): string {
  const u = new URL(uri);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** Parameters that only an implicit or hybrid response carries: this app asks for `response_type=code` only. */
const TOKEN_PARAMS = ['access_token', 'id_token', 'token_type', 'token', 'refresh_token', 'expires_in'] as const;

/** The fragment's parameters (where implicit and hybrid responses put theirs); empty when there is none. */
function fragmentParams(url: URL): URLSearchParams {
  return new URLSearchParams(url.hash.slice(1));
}

/** True when the callback carries a token parameter in its query or its fragment. */
function carriesTokens(url: URL): boolean {
  const fragment = fragmentParams(url);
  return TOKEN_PARAMS.some((name) => url.searchParams.has(name) || fragment.has(name));
}

function stateOf(url: URL): string | undefined {
  const all = url.searchParams.getAll('state');
  if (all.length > 1) throw new DeskError('CALLBACK_MALFORMED', 'The callback repeats the state parameter.');
  return all[0] === '' ? undefined : all[0];
}

const IMPLICIT_REFUSED = 'The callback carries tokens in the URL (an implicit or hybrid response); OIDC Desk asks for a code only, so it was refused and no token was used.';

/** True when a parameter appears more than once in the query (RFC 6749 §3.1: never in a response). */
function repeatsParameter(url: URL): boolean {
  return repeats(url.searchParams);
}

function repeats(params: URLSearchParams): boolean {
  const names = [...params.keys()];
  return new Set(names).size !== names.length;
}

/** Where a front-channel response was expected, in words. */
const MODE_WORDS: Readonly<Record<'query' | FrontChannelResponseMode, string>> = { query: 'query', fragment: 'fragment', form_post: 'form post' };

/** Turns a validation failure of a taken flow into a DeskError, by the error's class, code and cause. */
function responseError(error: unknown, metadata: oauth.AuthorizationServer): DeskError {
  if (error instanceof oauth.AuthorizationResponseError) {
    const description = error.error_description;
    const extra = description === undefined ? {} : { oauthErrorDescription: description };
    if (error.error === 'access_denied') {
      return new DeskError('SIGN_IN_CANCELLED', 'Sign-in was cancelled in the browser (access_denied).', { oauthError: error.error, ...extra });
    }
    return new DeskError('AUTHORIZATION_ERROR', oauthErrorMessage(error.error, description), { oauthError: error.error, ...extra });
  }
  const iss = issProblem(error, metadata);
  if (iss !== undefined) {
    return new DeskError('CALLBACK_ISS_MISMATCH', iss === 'missing'
      ? 'The callback has no "iss" although the provider announces RFC 9207: it may come from another provider (mix-up attack) and was refused.'
      : 'The callback was issued by another provider than the one this sign-in started with (RFC 9207 "iss" differs) and was refused.');
  }
  if (error instanceof oauth.UnsupportedOperationError) return new DeskError('CALLBACK_INVALID', IMPLICIT_REFUSED);
  if (error instanceof DeskError) return error;
  return new DeskError('CALLBACK_INVALID', `The callback was refused: ${error instanceof Error ? error.message.replaceAll('"', '') : 'invalid'}.`);
}

/** Routes raw callback URLs to their pending flows. */
export class CallbackRouter<F extends RoutableFlow> {
  readonly #pending: PendingFlows<F>;
  readonly #schemes: () => Iterable<string>;

  /**
   * @param pending the flows waiting for a callback
   * @param schemes the private-use schemes currently accepted (the app's and profiles' own)
   */
  constructor(pending: PendingFlows<F>, schemes: () => Iterable<string>) {
    this.#pending = pending;
    this.#schemes = schemes;
  }

  /**
   * Handles one raw callback URL from any source. Resolves when the flow completed (tokens
   * verified); rejects with a DeskError otherwise. A flow is taken at most once: a replayed callback
   * finds nothing and causes no token request.
   */
  async handle(raw: unknown): Promise<void> {
    const schemes = new Set([...this.#schemes()].map((s) => s.toLowerCase()));
    const url = assertCallbackShape(raw, schemes);
    const inFragment = this.#takeFragmentFlow(url);
    if (inFragment !== undefined) return this.#completeFrontChannel(inFragment.flow, url, inFragment.state, fragmentParams(url));
    // oauth4webapi looks for id_token and token in the query only; an access_token, a token_type, or
    // tokens in the fragment (where implicit responses put them, with their state) would pass it.
    const tokens = carriesTokens(url);
    const fragmentState = fragmentParams(url).getAll('state');
    const state = stateOf(url) ?? (tokens && fragmentState.length === 1 && fragmentState[0] !== '' ? fragmentState[0] : undefined);
    if (state === undefined) {
      if (tokens) throw new DeskError('CALLBACK_INVALID', IMPLICIT_REFUSED);
      throw new DeskError('CALLBACK_STATE_MISSING', 'The callback has no state: it does not belong to a sign-in of OIDC Desk and was refused.');
    }
    const flow = this.#pending.take(state);
    if (flow === undefined) {
      if (tokens) throw new DeskError('CALLBACK_INVALID', IMPLICIT_REFUSED);
      throw new DeskError('CALLBACK_STATE_UNKNOWN', 'The callback matches no waiting sign-in (unknown, already used or expired state). Start the sign-in again.');
    }
    let params: URLSearchParams;
    try {
      const mode = flow.responseMode ?? 'query';
      if (mode !== 'query') throw new DeskError('CALLBACK_INVALID', `This sign-in expects the provider's response in the ${MODE_WORDS[mode]}; a response in the query was refused.`);
      if (tokens) throw new DeskError('CALLBACK_INVALID', IMPLICIT_REFUSED);
      if (redirectTarget(url.href) !== redirectTarget(flow.redirectUri)) {
        throw new DeskError('CALLBACK_INVALID', 'The callback arrived on another redirect URI than the sign-in used.');
      }
      if (repeatsParameter(url)) throw new DeskError('CALLBACK_MALFORMED', 'The callback repeats a parameter (each may appear once, RFC 6749 §3.1) and was refused.');
      params = flow.kind === 'logout' ? new URLSearchParams(url.search) : oauth.validateAuthResponse(flow.metadata, flow.client, url, state);
    } catch (error) {
      const err = responseError(error, flow.metadata);
      flow.fail(err);
      throw err;
    }
    await flow.complete(params);
  }

  /**
   * Handles a form post to the loopback listener (OAuth 2.0 Form Post Response Mode): the callback URL
   * (`http://127.0.0.1:PORT/path`) and the form's body (`application/x-www-form-urlencoded`, at most
   * {@link MAX_FORM_POST_BYTES}, valid percent-encoding). Only a flow that expects a form post is
   * taken, by the form's `state`, exactly once; then as {@link handle}.
   * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html
   */
  async handleFormPost(raw: unknown, body: unknown): Promise<void> {
    const url = assertCallbackShape(raw, new Set());
    if (url.protocol !== 'http:') throw new DeskError('CALLBACK_FOREIGN_SCHEME', 'A form post is only received on the loopback address.');
    if (typeof body !== 'string') throw new DeskError('CALLBACK_MALFORMED', 'The form post has no parameters.');
    if (Buffer.byteLength(body, 'utf8') > MAX_FORM_POST_BYTES) throw new DeskError('CALLBACK_TOO_LARGE', `The form post is larger than ${MAX_FORM_POST_BYTES} bytes and was refused.`);
    assertPercentEncoding(body);
    const form = new URLSearchParams(body);
    const states = form.getAll('state');
    if (states.length > 1) throw new DeskError('CALLBACK_MALFORMED', 'The form post repeats the state parameter.');
    const state = states[0];
    if (state === undefined || state === '') throw new DeskError('CALLBACK_STATE_MISSING', 'The form post has no state: it does not belong to a sign-in of OIDC Desk and was refused.');
    // A flow that expects its response elsewhere is not taken (nor ended) by a form post.
    const flow = this.#pending.peek(state)?.responseMode === 'form_post' ? this.#pending.take(state) : undefined;
    if (flow === undefined) throw new DeskError('CALLBACK_STATE_UNKNOWN', 'The form post matches no waiting sign-in (unknown, already used or expired state). Start the sign-in again.');
    await this.#completeFrontChannel(flow, url, state, form);
  }

  /**
   * The flow a deep link's fragment answers, taken: the fragment carries one `state` and the flow waiting on
   * it expects its response in the fragment. Undefined otherwise (the URL then goes the code flow's way,
   * where a fragment carrying tokens is refused). Bad percent-encoding in it is refused before anything.
   */
  #takeFragmentFlow(url: URL): { readonly flow: F; readonly state: string } | undefined {
    if (url.hash.length <= 1) return undefined;
    const states = fragmentParams(url).getAll('state');
    const state = states.length === 1 ? states[0] : undefined;
    if (state === undefined || state === '' || this.#pending.peek(state)?.responseMode !== 'fragment') return undefined;
    assertPercentEncoding(url.hash.slice(1));
    const flow = this.#pending.take(state);
    return flow === undefined ? undefined : { flow, state };
  }

  /** Validates a taken front-channel flow's response (fragment or form post) and completes the flow; a refusal ends it. */
  async #completeFrontChannel(flow: F, url: URL, state: string, params: URLSearchParams): Promise<void> {
    let validated: URLSearchParams;
    try {
      if (flow.validateFrontChannel === undefined) throw new DeskError('CALLBACK_INVALID', 'This sign-in does not expect a response in the fragment or a form post.');
      if (redirectTarget(url.href) !== redirectTarget(flow.redirectUri)) {
        throw new DeskError('CALLBACK_INVALID', 'The callback arrived on another redirect URI than the sign-in used.');
      }
      // The redirect URI has no query; parameters in it too would be a response split in two.
      if (url.search !== '') throw new DeskError('CALLBACK_INVALID', `The callback carries a query besides its ${MODE_WORDS[flow.responseMode ?? 'query']}, and was refused.`);
      if (repeats(params)) throw new DeskError('CALLBACK_MALFORMED', 'The callback repeats a parameter (each may appear once, RFC 6749 §3.1) and was refused.');
      validated = flow.validateFrontChannel(params, state);
    } catch (error) {
      const err = responseError(error, flow.metadata);
      flow.fail(err);
      throw err;
    }
    await flow.complete(validated);
  }
}

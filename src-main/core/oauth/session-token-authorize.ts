/**
 * The authorization request of an Okta session-token sign-in, made by the core itself instead of a browser:
 * the session token with PKCE, state, nonce and `prompt=none`, the redirect read (never followed) and its
 * query validated like any browser callback, then the code exchange with the usual ID token checks.
 * @module
 */
import { DeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';
import { APP_REDIRECT_URI, type Profile } from '../profile.ts';
import { buildAuthorizationRequest } from './authorize.ts';
import { CallbackRouter, type RoutableFlow } from './callback.ts';
import { PendingFlows } from './pending.ts';
import type { ProviderContext } from './provider-context.ts';
import { exchangeCode, type TokenSet } from './tokens.ts';

/** The redirect statuses an authorization endpoint answers with. */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** OAuth errors of a `prompt=none` request that mean Okta did not sign the user in with the session token. */
const NOT_SIGNED_IN: ReadonlySet<string> = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required']);

/**
 * The redirect URI a session-token sign-in names: the profile's, as registered at Okta for the code flow
 * (`http://127.0.0.1/callback` for a loopback profile: nothing listens, the redirect is read from the answer).
 */
export function sessionTokenRedirectUri(profile: Pick<Profile, 'redirect'>): string {
  const { redirect } = profile;
  if (redirect.kind === 'custom-scheme') return redirect.uri;
  if (redirect.kind === 'loopback') return redirect.uri ?? 'http://127.0.0.1/callback';
  return APP_REDIRECT_URI;
}

/** True when `location` is exactly the redirect URI, or it followed by a query. */
function isOwnRedirect(location: string, redirectUri: string): boolean {
  return location === redirectUri || location.startsWith(`${redirectUri}?`) || location.startsWith(`${redirectUri}#`);
}

/** A refusal that came back on the redirect, said for a session token (no one cancelled anything in a browser here). */
function refined(error: unknown): unknown {
  if (!(error instanceof DeskError) || error.oauthError === undefined) return error;
  const details = { cause: error, oauthError: error.oauthError, ...(error.oauthErrorDescription === undefined ? {} : { oauthErrorDescription: error.oauthErrorDescription }) };
  if (error.code === 'AUTHORIZATION_ERROR' && NOT_SIGNED_IN.has(error.oauthError)) {
    return new DeskError('AUTHORIZATION_ERROR', `Okta did not sign in with the session token (${error.oauthError}): a session token works once and only for a few minutes, and the app must need no consent or further sign-in step. Try again; if it keeps happening, use the browser sign-in.`, details);
  }
  if (error.code === 'SIGN_IN_CANCELLED') {
    return new DeskError('SIGN_IN_CANCELLED', 'Okta refused the sign-in (access_denied): the user may not be assigned to the app, or a policy denies it. Nothing was stored.', details);
  }
  return error;
}

/**
 * Checks that the provider can take a session token: its authorization endpoint is at the issuer's origin
 * (a session token opens a session at the Okta org, so it goes to the org's own origin and nowhere else).
 * Called before the password is sent, so that a refused provider gets nothing.
 */
export function assertSessionTokenEndpoint(ctx: Pick<ProviderContext, 'issuer' | 'metadata'>): void {
  const endpoint = ctx.metadata.authorization_endpoint;
  if (endpoint === undefined || new URL(endpoint).origin !== new URL(ctx.issuer).origin) {
    throw new DeskError('DISCOVERY_FAILED', 'The provider\'s authorization endpoint is not at the issuer\'s origin, so it cannot take an Okta session token; nothing was sent.');
  }
}

/**
 * Redeems an Okta session token at the authorization endpoint for the profile's client: the request carries
 * it with PKCE S256, `state`, `nonce` and `prompt=none`; the answer must be a redirect to the profile's
 * redirect URI, whose query goes through the callback router (state, RFC 9207 `iss`, `error=`, no tokens in
 * the URL) before the one code exchange. The session token is sent only to the issuer's own origin.
 * @see https://developer.okta.com/docs/guides/session-cookie/main/#retrieve-a-session-cookie-through-the-openid-connect-authorization-endpoint
 * @see https://www.rfc-editor.org/rfc/rfc9207
 */
export async function authorizeWithSessionToken(ctx: ProviderContext, input: {
  readonly profile: Profile;
  readonly sessionToken: string;
  readonly fetch: FetchLike;
  readonly now: () => number;
}): Promise<{ readonly tokens: TokenSet; readonly redirectUri: string }> {
  const { profile } = input;
  assertSessionTokenEndpoint(ctx);
  const redirectUri = sessionTokenRedirectUri(profile);
  const request = await buildAuthorizationRequest({
    metadata: ctx.metadata,
    clientId: profile.clientId,
    redirectUri,
    scopes: profile.scopes,
    options: { prompt: 'none', extraParams: { ...profile.extraParams, sessionToken: input.sessionToken } },
  });
  const response = await input.fetch(request.url.href, { method: 'GET', expectRedirect: true });
  if (response.status >= 500) throw new DeskError('HTTP_STATUS', `Okta's authorization endpoint failed (HTTP ${response.status}); try again later.`, { status: response.status });
  const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null;
  if (location === null) {
    throw new DeskError('AUTHORIZATION_ERROR', `Okta answered the authorization request with HTTP ${response.status} instead of a redirect back to the app: it may want a step in a browser (a second factor, consent), which prompt=none refuses.`, { status: response.status });
  }
  if (!isOwnRedirect(location, redirectUri)) {
    throw new DeskError('CALLBACK_INVALID', 'Okta redirected the sign-in somewhere else than the profile\'s redirect URI; the answer was not used and nothing was sent there.');
  }

  // The one flow this answer may complete, in a table of its own: a state of any other sign-in finds nothing.
  const pending = new PendingFlows<RoutableFlow>({ max: 1 });
  const ended = new AbortController();
  let tokens: TokenSet | undefined;
  pending.add({
    kind: 'authorization',
    state: request.state,
    signal: ended.signal,
    redirectUri,
    metadata: ctx.metadata,
    client: ctx.client,
    complete: async (params) => {
      tokens = await exchangeCode(ctx, {
        params,
        redirectUri,
        codeVerifier: request.codeVerifier,
        nonce: request.nonce,
        requireIdToken: profile.scopes.includes('openid'),
        now: input.now,
        maxAgeSeconds: request.maxAge,
      });
    },
    fail: () => undefined,
  });
  const scheme = redirectUri.slice(0, redirectUri.indexOf(':'));
  try {
    await new CallbackRouter(pending, () => [scheme]).handle(location);
  } catch (error) {
    throw refined(error);
  } finally {
    ended.abort();
  }
  if (tokens === undefined) throw new DeskError('INTERNAL', 'The code exchange gave no tokens.');
  return { tokens, redirectUri };
}

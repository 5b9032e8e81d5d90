/**
 * Token endpoint requests (code exchange, refresh) and the token set the core keeps in memory,
 * with the ID token fully validated: oauth4webapi's claim checks plus the signature from the JWKS.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import { estimateClockOffset } from './clock.ts';
import { assertDpopBound, withDpopNonceRetry, type DpopSigner } from './dpop.ts';
import { validateIdToken, type IdTokenClaims } from './id-token.ts';
import type { JwtReport } from './jwt-report.ts';
import { bodyExcerpt } from '../http/redact.ts';
import { mapOAuthError, oauthErrorResponse } from './oauth-errors.ts';
import { CLOCK_SKEW_SECONDS, type ProviderContext } from './provider-context.ts';

/** Tokens from one token response. Secrets: keep in the core, show fronts only views. */
export interface TokenSet {
  /** Always there from a token endpoint; absent only after an implicit sign-in with `response_type=id_token`. */
  readonly accessToken: string | undefined;
  readonly tokenType: string;
  /** Access token expiry, ms since the epoch, from `expires_in`. */
  readonly expiresAt: number | undefined;
  readonly scope: readonly string[] | undefined;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
  readonly idTokenClaims: IdTokenClaims | undefined;
  readonly idTokenReport: JwtReport | undefined;
  readonly receivedAt: number;
  /** Server clock minus ours, from the token response's Date header. */
  readonly clockOffsetMs: number | undefined;
}

interface ProcessInput {
  readonly ctx: ProviderContext;
  readonly response: Response;
  readonly process: (response: Response) => Promise<oauth.TokenEndpointResponse>;
  readonly nonce: string | undefined;
  readonly now: () => number;
  /** The `max_age` of the authorization request, seconds: makes the report require a recent `auth_time`. */
  readonly maxAgeSeconds?: number | undefined;
}

async function toTokenSet(input: ProcessInput): Promise<TokenSet> {
  const receivedAt = input.now();
  const clockOffsetMs = estimateClockOffset(input.response.headers.get('date'), receivedAt);
  if (input.response.status >= 500) {
    // A provider-side failure is transient: callers keep the refresh token and retry later.
    await input.response.body?.cancel();
    throw new DeskError('HTTP_STATUS', `The provider's token endpoint failed (HTTP ${input.response.status}); try again later.`, { status: input.response.status });
  }
  // A refusal is read here first: oauth4webapi stops at a WWW-Authenticate header before the body.
  const refusal = input.response.status === 200 ? undefined : await input.response.clone().text().catch(() => '');
  let result: oauth.TokenEndpointResponse;
  try {
    result = await input.process(input.response);
  } catch (error) {
    throw refusal === undefined ? mapOAuthError(error, 'TOKEN_RESPONSE_INVALID') : tokenEndpointRefusal(error, input.response, refusal);
  }
  let idTokenClaims: IdTokenClaims | undefined;
  let idTokenReport: JwtReport | undefined;
  if (result.id_token !== undefined) {
    if (input.ctx.jwks === undefined) throw new DeskError('ID_TOKEN_SIGNATURE_INVALID', 'The provider sent an ID token but publishes no jwks_uri, so its signature cannot be checked.');
    const validated = await validateIdToken(result.id_token, {
      issuer: input.ctx.issuer,
      audience: input.ctx.client.client_id,
      jwks: input.ctx.jwks,
      ...(input.ctx.metadata.id_token_signing_alg_values_supported === undefined ? {} : { allowedAlgs: input.ctx.metadata.id_token_signing_alg_values_supported }),
      ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
      ...(input.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: input.maxAgeSeconds }),
      accessToken: result.access_token,
      now: input.now,
      skewSeconds: CLOCK_SKEW_SECONDS,
      ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }),
    });
    idTokenClaims = validated.claims;
    idTokenReport = validated.report;
  }
  return {
    accessToken: result.access_token,
    tokenType: result.token_type,
    expiresAt: typeof result.expires_in === 'number' ? receivedAt + result.expires_in * 1000 : undefined,
    scope: typeof result.scope === 'string' ? result.scope.split(' ').filter(Boolean) : undefined,
    refreshToken: typeof result.refresh_token === 'string' ? result.refresh_token : undefined,
    idToken: result.id_token,
    idTokenClaims,
    idTokenReport,
    receivedAt,
    clockOffsetMs,
  };
}

function oauthErrorBody(body: string): { error: string; description: string | undefined } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { error, error_description: description } = parsed as Record<string, unknown>;
    if (typeof error !== 'string' || error === '') return undefined;
    return { error, description: typeof description === 'string' ? description : undefined };
  } catch {
    return undefined;
  }
}

/**
 * The error for a token endpoint answer other than 200: an OAuth error (from the body, also when a
 * WWW-Authenticate challenge came with it, RFC 6749 §5.2), else `TOKEN_ENDPOINT_REFUSED` with the status
 * and a masked excerpt of the body: an empty 400 or an HTML page says nothing about the grant.
 */
function tokenEndpointRefusal(error: unknown, response: Response, body: string): DeskError {
  if (error instanceof oauth.ResponseBodyError || error instanceof DeskError) return mapOAuthError(error, 'TOKEN_ERROR');
  const said = oauthErrorBody(body);
  if (said !== undefined) return oauthErrorResponse(said.error, said.description, response.status, error);
  return new DeskError('TOKEN_ENDPOINT_REFUSED', `The token endpoint answered HTTP ${response.status} without an OAuth error: ${bodyExcerpt(body, response.headers.get('content-type'))}`, { cause: error, status: response.status });
}

/**
 * A token request, sent once more with the provider's DPoP nonce when it asks for one; with `dpop` the
 * request carries a proof of its key and the tokens must come back bound to it.
 */
async function boundTokenRequest(dpop: DpopSigner | undefined, send: (proof: { DPoP?: oauth.DPoPHandle }) => Promise<Response>, read: (response: Response) => Promise<TokenSet>): Promise<TokenSet> {
  const tokens = await withDpopNonceRetry(dpop, async () => {
    let response: Response;
    try {
      response = await send(dpop === undefined ? {} : { DPoP: dpop.handle });
    } catch (error) {
      throw mapOAuthError(error, 'TOKEN_ERROR');
    }
    return read(response);
  });
  // A token endpoint's answer always carries an access token (oauth4webapi refuses one without).
  if (dpop !== undefined && tokens.accessToken !== undefined) assertDpopBound({ accessToken: tokens.accessToken, tokenType: tokens.tokenType }, dpop.key);
  return tokens;
}

/**
 * Exchanges an authorization code (validated callback parameters) for tokens, with a DPoP proof (one retry
 * with the provider's nonce) and the binding checked when `dpop` is given. When the authorization
 * request carried `max_age`, pass it as `maxAgeSeconds`: the ID token's `auth_time` check of the report
 * then fails unless `auth_time` is present and no older than max_age plus the clock leeway.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
 */
export async function exchangeCode(ctx: ProviderContext, input: {
  readonly params: URLSearchParams;
  readonly redirectUri: string;
  readonly codeVerifier: string;
  readonly nonce: string | undefined;
  readonly requireIdToken: boolean;
  readonly now: () => number;
  readonly maxAgeSeconds?: number | undefined;
  /** The sign-in's deadline: the token request is abandoned when it aborts. */
  readonly signal?: AbortSignal | undefined;
  /** DPoP (RFC 9449): the sign-in's key; the tokens must come back bound to it. */
  readonly dpop?: DpopSigner | undefined;
}): Promise<TokenSet> {
  return boundTokenRequest(input.dpop, (proof) => oauth.authorizationCodeGrantRequest(ctx.metadata, ctx.client, oauth.None(), input.params, input.redirectUri, input.codeVerifier, {
    ...ctx.requestOptions,
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...proof,
  }), (response) => toTokenSet({
    ctx,
    response,
    nonce: input.nonce,
    now: input.now,
    maxAgeSeconds: input.maxAgeSeconds,
    process: (r) => oauth.processAuthorizationCodeResponse(ctx.metadata, ctx.client, r, {
      expectedNonce: input.nonce ?? oauth.expectNoNonce,
      requireIdToken: input.requireIdToken,
    }),
  }));
}

/**
 * Redeems a refresh token (with a DPoP proof for a DPoP-bound session). The caller applies OIDC Core
 * §12.2 to a new ID token.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export async function refreshTokens(ctx: ProviderContext, input: { readonly refreshToken: string; readonly now: () => number; readonly scope?: string; readonly clientAuth?: oauth.ClientAuth; readonly dpop?: DpopSigner | undefined }): Promise<TokenSet> {
  return boundTokenRequest(input.dpop, (proof) => oauth.refreshTokenGrantRequest(ctx.metadata, ctx.client, input.clientAuth ?? oauth.None(), input.refreshToken, {
    ...ctx.requestOptions,
    ...(input.scope === undefined ? {} : { additionalParameters: { scope: input.scope } }),
    ...proof,
  }), (response) => toTokenSet({
    ctx,
    response,
    nonce: undefined,
    now: input.now,
    process: (r) => oauth.processRefreshTokenResponse(ctx.metadata, ctx.client, r),
  }));
}

/**
 * The client credentials grant: a token for the client itself (no user, no ID token, no refresh token).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export async function clientCredentialsGrant(ctx: ProviderContext, input: { readonly clientAuth: oauth.ClientAuth; readonly scopes: readonly string[]; readonly now: () => number }): Promise<TokenSet> {
  let response: Response;
  try {
    response = await oauth.clientCredentialsGrantRequest(ctx.metadata, ctx.client, input.clientAuth, input.scopes.length === 0 ? {} : { scope: input.scopes.join(' ') }, ctx.requestOptions);
  } catch (error) {
    throw mapOAuthError(error, 'TOKEN_ERROR');
  }
  const tokens = await toTokenSet({ ctx, response, nonce: undefined, now: input.now, process: (r) => oauth.processClientCredentialsResponse(ctx.metadata, ctx.client, r) });
  // RFC 6749 §4.4.3: no refresh token for this grant; one sent anyway is not kept.
  return { ...tokens, refreshToken: undefined };
}

/**
 * The resource owner password grant (legacy: RFC 9700 §2.4 says it must not be used). The password is sent
 * once, here, and kept nowhere.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 */
export async function passwordGrant(ctx: ProviderContext, input: {
  readonly clientAuth: oauth.ClientAuth;
  readonly username: string;
  readonly password: string;
  readonly scopes: readonly string[];
  readonly now: () => number;
}): Promise<TokenSet> {
  let response: Response;
  try {
    const parameters: Record<string, string> = { username: input.username, password: input.password, ...(input.scopes.length === 0 ? {} : { scope: input.scopes.join(' ') }) };
    response = await oauth.genericTokenEndpointRequest(ctx.metadata, ctx.client, input.clientAuth, 'password', parameters, ctx.requestOptions);
  } catch (error) {
    throw mapOAuthError(error, 'TOKEN_ERROR');
  }
  const tokens = await toTokenSet({ ctx, response, nonce: undefined, now: input.now, process: (r) => oauth.processGenericTokenEndpointResponse(ctx.metadata, ctx.client, r) });
  if (tokens.idToken === undefined && input.scopes.includes('openid')) throw new DeskError('NO_ID_TOKEN', 'The openid scope was requested but the provider sent no ID token.');
  return tokens;
}

/**
 * One poll of the device authorization grant: the token request with the device code. A refusal is a
 * DeskError whose `oauthError` says what to do (`authorization_pending`, `slow_down`, `access_denied`,
 * `expired_token`); the caller runs the polling (RFC 8628 §3.5).
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export async function deviceCodeGrant(ctx: ProviderContext, input: {
  readonly clientAuth: oauth.ClientAuth;
  readonly deviceCode: string;
  readonly requireIdToken: boolean;
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
}): Promise<TokenSet> {
  let response: Response;
  try {
    response = await oauth.deviceCodeGrantRequest(ctx.metadata, ctx.client, input.clientAuth, input.deviceCode, {
      ...ctx.requestOptions,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    throw mapOAuthError(error, 'TOKEN_ERROR');
  }
  const tokens = await toTokenSet({ ctx, response, nonce: undefined, now: input.now, process: (r) => oauth.processDeviceCodeResponse(ctx.metadata, ctx.client, r) });
  if (tokens.idToken === undefined && input.requireIdToken) throw new DeskError('NO_ID_TOKEN', 'The openid scope was requested but the provider sent no ID token.');
  return tokens;
}

/**
 * The reference the sign-in and refresh benches compare OIDC Desk with: a bare client written straight on
 * oauth4webapi and jose, doing only what the protocol needs (validateAuthResponse, the code grant and its
 * processing, the ID token signature from the JWKS; the refresh_token grant), with no store, lock, cache,
 * exchange log or event. Same provider, same client, same scopes as the desk's profile.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { signInOverHttp } from './login-driver.ts';

/** The redirect both clients use: the app's scheme, handed over as a deep link would be. */
export const REDIRECT_URI = 'dev.oidcdesk:/callback';
export const SCOPES = 'openid profile email offline_access';

/** An authorization response waiting to be redeemed, with what the client kept for it. */
export interface PendingCallback {
  readonly callbackUrl: string;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

/** A bare oauth4webapi + jose client of the local provider. */
export class BareClient {
  readonly #as: oauth.AuthorizationServer;
  readonly #client: oauth.Client = { client_id: 'oidc-desk' };
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  static readonly #options = { [oauth.allowInsecureRequests]: true };

  private constructor(as: oauth.AuthorizationServer) {
    this.#as = as;
    if (as.jwks_uri === undefined) throw new Error('the provider has no jwks_uri');
    this.#jwks = createRemoteJWKSet(new URL(as.jwks_uri));
  }

  /** Discovers the provider (once; not part of any measured step). */
  static async discover(issuer: string): Promise<BareClient> {
    const url = new URL(issuer);
    return new BareClient(await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { ...BareClient.#options, algorithm: 'oidc' })));
  }

  /** Starts an authorization request and signs `username` in with the login driver (not measured). */
  async authorize(username: string, password: string): Promise<PendingCallback> {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const endpoint = this.#as.authorization_endpoint;
    if (endpoint === undefined) throw new Error('the provider has no authorization endpoint');
    const url = new URL(endpoint);
    url.search = new URLSearchParams({
      client_id: this.#client.client_id, redirect_uri: REDIRECT_URI, response_type: 'code', scope: SCOPES, prompt: 'consent',
      state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();
    return { callbackUrl: await signInOverHttp(url.href, username, password), state, nonce, verifier };
  }

  /**
   * The measured step of a sign-in: validates the authorization response, redeems the code, processes the
   * token response (claims checked by oauth4webapi) and verifies the ID token's signature with jose.
   * Resolves with the token response (it carries a refresh token).
   */
  async redeem(pending: PendingCallback): Promise<oauth.TokenEndpointResponse> {
    const params = oauth.validateAuthResponse(this.#as, this.#client, new URL(pending.callbackUrl), pending.state);
    const response = await oauth.authorizationCodeGrantRequest(this.#as, this.#client, oauth.None(), params, REDIRECT_URI, pending.verifier, BareClient.#options);
    const tokens = await oauth.processAuthorizationCodeResponse(this.#as, this.#client, response, { expectedNonce: pending.nonce, requireIdToken: true });
    if (tokens.id_token === undefined) throw new Error('no ID token');
    await this.#verify(tokens.id_token);
    if (tokens.refresh_token === undefined) throw new Error('no refresh token');
    return tokens;
  }

  /** One refresh_token grant, processed, a new ID token's signature verified; resolves with the token response. */
  async refresh(refreshToken: string): Promise<oauth.TokenEndpointResponse> {
    const response = await oauth.refreshTokenGrantRequest(this.#as, this.#client, oauth.None(), refreshToken, BareClient.#options);
    const tokens = await oauth.processRefreshTokenResponse(this.#as, this.#client, response);
    if (tokens.id_token !== undefined) await this.#verify(tokens.id_token);
    return tokens;
  }

  async #verify(idToken: string): Promise<void> {
    await jwtVerify(idToken, this.#jwks, { issuer: this.#as.issuer, audience: this.#client.client_id, algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] });
  }
}

/** The demo provider's built-in users and its one native client: plain data with no provider code, cheap to import for help texts, profiles and start-up checks. */

/** A demo account: `username`/`password` for the login page, the rest become ID token / userinfo claims. */
export interface DemoUser {
  readonly sub: string;
  readonly username: string;
  readonly password: string;
  readonly name: string;
  readonly email: string;
  readonly emailVerified: boolean;
}

/** Client metadata as oidc-provider takes it (RFC 7591 names, snake_case). */
export type DemoClient = Readonly<Record<string, unknown>> & { readonly client_id: string };

/** The client id of the demo provider's native client, and its two redirect URIs (private-use scheme, loopback on any port). */
export const DEMO_CLIENT_ID = 'oidc-desk';
export const DEMO_REDIRECT_URI = 'dev.oidcdesk:/callback';
export const DEMO_LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

/** The demo accounts; their passwords are shown on the sign-in page. */
export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  { sub: 'user-alice', username: 'alice', password: 'alice-password', name: 'Alice Example', email: 'alice@example.com', emailVerified: true },
  { sub: 'user-bob', username: 'bob', password: 'bob-password', name: 'Bob Example', email: 'bob@example.com', emailVerified: false },
]);

/** The native public client (RFC 8252): private-use scheme and loopback redirects, PKCE, no secret. */
export const DEMO_CLIENT: DemoClient = Object.freeze({
  client_id: DEMO_CLIENT_ID,
  client_name: 'OIDC Desk',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [DEMO_REDIRECT_URI, DEMO_LOOPBACK_REDIRECT_URI],
  post_logout_redirect_uris: ['dev.oidcdesk:/logout', 'http://127.0.0.1/logout'],
});

/** Profile presets for common providers: where the issuer is, which scopes and redirect to use, and what to register there. */

/** One provider's starting point for a profile. */
export interface Preset {
  readonly id: string;
  readonly label: string;
  /** A suggested profile name. */
  readonly name: string;
  /** What the issuer looks like (a placeholder: the user fills in their own). */
  readonly issuerExample: string;
  readonly issuerHint: string;
  readonly scopes: string;
  readonly redirect: 'loopback' | 'app-scheme';
  readonly extraParams?: Readonly<Record<string, string>>;
  /** How to create the client at the provider, and what to register. */
  readonly setup: readonly string[];
}

const LOOPBACK = 'http://127.0.0.1/callback';
const APP = 'dev.oidcdesk:/callback';

/** The presets, in the order the editor offers them. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'okta-org',
    label: 'Okta (org authorization server)',
    name: 'okta',
    issuerExample: 'https://dev-123456.okta.com',
    issuerHint: 'Your Okta domain, with nothing after it. ID tokens; access tokens for Okta’s own APIs only.',
    scopes: 'openid profile email offline_access',
    redirect: 'loopback',
    setup: [
      'Applications > Create App Integration > OIDC - OpenID Connect > Native Application (a public client: no secret, PKCE).',
      'Grant types: Authorization Code and Refresh Token.',
      `Sign-in redirect URIs: ${LOOPBACK} (loopback: Okta accepts any port) and ${APP} for the desktop app.`,
      'Assign the users or groups who may sign in, then copy the Client ID.',
    ],
  },
  {
    id: 'okta-custom',
    label: 'Okta (custom authorization server)',
    name: 'okta-default',
    issuerExample: 'https://dev-123456.okta.com/oauth2/default',
    issuerHint: 'Your Okta domain followed by /oauth2/default (or /oauth2/<server id>). Needs API Access Management in production orgs.',
    scopes: 'openid profile email offline_access',
    redirect: 'loopback',
    setup: [
      'Create a Native Application as for the org server (Authorization Code and Refresh Token, no secret).',
      `Sign-in redirect URIs: ${LOOPBACK} and ${APP}.`,
      'Security > API > Authorization Servers > default > Access Policies: a policy and rule that allow this client, its grant types and the scopes.',
    ],
  },
  {
    id: 'keycloak',
    label: 'Keycloak',
    name: 'keycloak',
    issuerExample: 'https://keycloak.example.com/realms/my-realm',
    issuerHint: 'The server’s URL, /realms/, then the realm name (older servers: /auth/realms/<realm>).',
    scopes: 'openid profile email offline_access',
    redirect: 'loopback',
    setup: [
      'Clients > Create client: OpenID Connect, Client authentication off (a public client), Standard flow on.',
      `Valid redirect URIs: ${LOOPBACK}. If your Keycloak compares the port, give the profile a fixed one such as http://127.0.0.1:8765/callback and register exactly that.`,
      'Advanced > Proof Key for Code Exchange: S256.',
    ],
  },
  {
    id: 'entra',
    label: 'Microsoft Entra ID',
    name: 'entra',
    issuerExample: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
    issuerHint: 'login.microsoftonline.com/<your tenant id>/v2.0 (the tenant id, not "common": the issuer must match exactly).',
    scopes: 'openid profile email offline_access',
    redirect: 'loopback',
    setup: [
      'App registrations > New registration; Authentication > Add a platform > Mobile and desktop applications.',
      `Redirect URI: ${LOOPBACK} (Entra ignores the port of a loopback redirect; if the portal refuses http, add it in the app’s manifest).`,
      'Allow public client flows: Yes. Copy the Application (client) ID.',
    ],
  },
  {
    id: 'auth0',
    label: 'Auth0',
    name: 'auth0',
    issuerExample: 'https://your-tenant.us.auth0.com/',
    issuerHint: 'Your tenant’s domain with https:// and the trailing slash: Auth0’s issuer ends with /.',
    scopes: 'openid profile email offline_access',
    redirect: 'app-scheme',
    setup: [
      'Applications > Create Application > Native.',
      `Allowed Callback URLs: ${APP} (the desktop app), or a fixed loopback URI such as http://127.0.0.1:8765/callback, given to the profile as its redirect.`,
      'Refresh tokens: offline_access must be allowed (API setting "Allow Offline Access"); turn on rotation.',
    ],
  },
  {
    id: 'google',
    label: 'Google',
    name: 'google',
    issuerExample: 'https://accounts.google.com',
    issuerHint: 'Always https://accounts.google.com.',
    scopes: 'openid profile email',
    redirect: 'loopback',
    extraParams: { access_type: 'offline', prompt: 'consent' },
    setup: [
      'Google Cloud console > APIs & Services > Credentials > Create OAuth client ID.',
      'Google gives refresh tokens for access_type=offline with prompt=consent (set below), not for the offline_access scope.',
      'A "Desktop app" client uses loopback on any port, but Google’s token endpoint asks it for a client secret, which OIDC Desk (a public client) does not send: expect invalid_client. An "iOS" client needs no secret and uses the scheme com.googleusercontent.apps.<id>:/oauth2redirect, for the desktop app.',
    ],
  },
  {
    id: 'generic',
    label: 'Any OpenID provider',
    name: 'my-provider',
    issuerExample: 'https://id.example.com',
    issuerHint: 'The provider’s issuer exactly as its /.well-known/openid-configuration states it.',
    scopes: 'openid profile email offline_access',
    redirect: 'loopback',
    setup: [
      'Register a native (public) client: no client secret, authorization code with PKCE S256, refresh tokens.',
      `Redirect URIs: ${LOOPBACK} (RFC 8252 §7.3: any port should be accepted) and ${APP} for the desktop app.`,
      'Run "Check provider" below to see what it supports.',
    ],
  },
];

/** The preset with that id, if any. */
export function presetById(id: string | undefined): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

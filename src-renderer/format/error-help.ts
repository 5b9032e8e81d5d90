/** Every error code in plain words with what to do about it: the table the error notices read. */
import type { ErrorView } from '../../src-main/core/contract.ts';

/** What a person reads about one error: what happened, and the fix. */
export interface ErrorHelp {
  readonly title: string;
  readonly fix: string;
}

type Code = ErrorView['code'];

const START_AGAIN = 'Start the sign-in again.';

/** One entry per code: the compiler keeps it complete when a code is added to the core. */
export const ERROR_HELP: Readonly<Record<Code, ErrorHelp>> = {
  PROFILE_INVALID: { title: 'The profile is not valid', fix: 'Correct the field marked in the form and save again.' },
  PROFILE_NOT_FOUND: { title: 'There is no such profile', fix: 'It may have been removed in another window or by the command line. Pick one from the profile list.' },
  PROFILE_EXISTS: { title: 'A profile with that name exists already', fix: 'Choose another name, or edit the existing profile.' },
  ISSUER_INVALID: { title: 'The issuer is not a usable URL', fix: 'Copy the issuer exactly from the provider, for example https://dev-123456.okta.com/oauth2/default (no query, no fragment).' },
  ISSUER_INSECURE: { title: 'The issuer uses http', fix: 'Use https for a remote provider. For a provider on this computer (127.0.0.1), tick "Allow http on loopback".' },
  REDIRECT_SCHEME_INVALID: { title: 'The redirect URI cannot be used', fix: 'Use loopback, the app scheme dev.oidcdesk:/callback, a private-use scheme in reverse-domain form (com.example.app:/callback, RFC 8252 §7.1) or http://127.0.0.1:<port>/<path>.' },
  REDIRECT_UNSUPPORTED: { title: 'This redirect cannot reach this window', fix: 'A page cannot receive a custom-scheme redirect: use a profile with a loopback redirect here, or sign in from the desktop app.' },
  SESSION_NOT_FOUND: { title: 'That session is gone', fix: 'It was signed out, perhaps in another window or by the command line. Pick one from the session list.' },
  USAGE: { title: 'The request was not understood', fix: 'Check the values you entered. If it keeps happening, this is a bug in OIDC Desk: please report it.' },
  DATA_DIR_INSECURE: { title: 'The data directory is not private', fix: 'The message names the path: make it yours and private again (chmod 700 for a directory, chmod 600 for a file, chown to you), or remove the symbolic link.' },
  IPC_SENDER_REFUSED: { title: 'The call did not come from the OIDC Desk window', fix: 'Nothing was done. Use the OIDC Desk window itself; a page or frame shown inside it may not call OIDC Desk.' },
  DISCOVERY_FAILED: { title: 'The provider’s metadata could not be read', fix: 'Check the issuer URL and that the provider is reachable; the metadata is read from <issuer>/.well-known/openid-configuration.' },
  DISCOVERY_ISSUER_MISMATCH: { title: 'The provider calls itself by another issuer', fix: 'The issuer must equal the provider’s exactly, character for character (often a trailing slash, or /oauth2/default missing). Use the value the message quotes.' },
  ENDPOINT_NOT_SUPPORTED: { title: 'The provider does not offer this', fix: 'Its metadata lists no endpoint for this operation (run "Check provider" to see what it offers).' },
  CALLBACK_TOO_LARGE: { title: 'The sign-in answer was too large', fix: START_AGAIN },
  CALLBACK_MALFORMED: { title: 'The sign-in answer was malformed', fix: START_AGAIN },
  CALLBACK_FOREIGN_SCHEME: { title: 'The sign-in answer came on a foreign scheme', fix: 'It was refused unread. ' + START_AGAIN },
  CALLBACK_STATE_MISSING: { title: 'The sign-in answer had no state', fix: START_AGAIN },
  CALLBACK_STATE_UNKNOWN: { title: 'The sign-in answer matched no waiting sign-in', fix: 'The browser delivered an old or repeated answer, or the sign-in timed out. ' + START_AGAIN },
  CALLBACK_ISS_MISMATCH: { title: 'The sign-in answer came from another issuer', fix: 'It was refused (RFC 9207) before any token was requested. ' + START_AGAIN },
  CALLBACK_INVALID: { title: 'The sign-in answer was not valid', fix: START_AGAIN },
  SIGN_IN_CANCELLED: { title: 'Sign-in cancelled', fix: 'Nothing was stored. Sign in again when you are ready.' },
  AUTHORIZATION_ERROR: { title: 'The provider refused the sign-in', fix: 'Read what the provider said below. Often the redirect URI is not registered, the scope is not allowed, or the user is not assigned to the app.' },
  FLOW_LIMIT: { title: 'Too many sign-ins are waiting', fix: 'Finish or cancel one of the waiting sign-ins first.' },
  FLOW_TIMEOUT: { title: 'The sign-in timed out', fix: 'Nothing came back from the browser in time. ' + START_AGAIN },
  TOKEN_RESPONSE_INVALID: { title: 'The provider’s token answer was not valid', fix: 'Nothing was stored. Check the provider’s configuration (run "Check provider").' },
  TOKEN_ERROR: { title: 'The provider refused to issue tokens', fix: 'Read what the provider said below, then check the app’s grant types and redirect URIs at the provider.' },
  INVALID_GRANT: { title: 'The provider refused the grant', fix: 'The code or refresh token is no longer valid (used, expired or revoked). Sign in again.' },
  INVALID_CLIENT: { title: 'The provider does not accept this client', fix: 'Check the client id and the app type: a native (public) app with client authentication "None" and no client secret. In Okta: Applications > your app > General, application type Native.' },
  UNAUTHORIZED_CLIENT: { title: 'The app may not use this flow', fix: 'At the provider, allow this grant type for the app (in Okta: Applications > your app > General > Grant type; client credentials needs a service app and a custom authorization server).' },
  CLIENT_SECRET_MISSING: { title: 'No client secret or key is set', fix: 'Set the client secret (or generate the key pair and register its public key at the provider) in the profile editor, then sign in again.' },
  ID_TOKEN_INVALID: { title: 'The ID token failed a check', fix: 'The verification report shows which check. If it is about iat or exp, this computer’s clock may be off by more than 60 seconds.' },
  ID_TOKEN_SIGNATURE_INVALID: { title: 'The ID token’s signature does not verify', fix: 'The token was altered or signed by a key the provider does not publish. It was refused.' },
  ID_TOKEN_ALG_NOT_ALLOWED: { title: 'The ID token uses a refused algorithm', fix: 'Only asymmetric signatures are accepted (never none or HS256). Configure the provider to sign ID tokens with RS256 or ES256.' },
  ID_TOKEN_KEY_NOT_FOUND: { title: 'The ID token’s signing key is unknown', fix: 'The provider’s key set has no key with that kid, even after fetching it again.' },
  ID_TOKEN_CLAIMS_CHANGED: { title: 'A refreshed ID token changed who it is about', fix: 'iss, sub, aud, azp or auth_time differ from the sign-in’s (OpenID Connect Core §12.2). The refresh was refused: sign in again.' },
  NO_ID_TOKEN: { title: 'No ID token came back', fix: 'The openid scope was requested but the provider sent no ID token. Check the scopes the app may use.' },
  ID_TOKEN_UNAVAILABLE: { title: 'No ID token is held for this session', fix: 'Refresh the session or sign in again.' },
  ACCESS_TOKEN_REJECTED: { title: 'The provider rejected the access token', fix: 'Refresh the session; if that fails, sign in again.' },
  TOKEN_ENDPOINT_REFUSED: { title: 'The token endpoint refused the request', fix: 'Read the status and what the provider said below; a proxy may be in the way.' },
  REFRESH_FAILING: { title: 'Refreshing keeps failing', fix: 'The refresh token is kept. Try "Refresh" once more, or sign in again to replace the session.' },
  SESSION_BINDING_MISMATCH: { title: 'The session’s stored provider does not match', fix: 'The session index names another provider or client than the keychain entry. Nothing was sent anywhere. Sign out and sign in again.' },
  JWT_MALFORMED: { title: 'That is not a readable JWT', fix: 'Paste a compact JWT (three parts separated by dots).' },
  USERINFO_SUB_MISMATCH: { title: 'Userinfo is about someone else', fix: 'Its sub differs from the ID token’s (OpenID Connect Core §5.3.2), so it was refused.' },
  USERINFO_FAILED: { title: 'Userinfo could not be read', fix: 'Read the status below. The access token may lack the openid scope, or be meant for another API (a resource).' },
  INTROSPECTION_FAILED: { title: 'Introspection failed', fix: 'Many providers let only confidential clients introspect; a public client may be refused.' },
  REVOCATION_FAILED: { title: 'Revocation failed', fix: 'The token may still be valid at the provider until it expires.' },
  SIGN_IN_NEEDED: { title: 'Sign-in needed', fix: 'The provider no longer accepts this session’s refresh token. Sign in again.' },
  SESSION_BUSY: { title: 'Another OIDC Desk process is busy with this session', fix: 'Wait a moment and try again.' },
  INDEX_CORRUPT: { title: 'A data file was damaged and set aside', fix: 'Look at the copy the message names, then delete it. The sessions it listed need a new sign-in.' },
  INDEX_NEWER_VERSION: { title: 'A data file was written by a newer OIDC Desk', fix: 'Update OIDC Desk. The file was left untouched.' },
  DATA_FILE_TOO_LARGE: { title: 'A data file is far larger than OIDC Desk writes it', fix: 'It was not read. Look at the file the message names.' },
  HTTP_TIMEOUT: { title: 'The provider did not answer in time', fix: 'Check your network and try again.' },
  HTTP_NETWORK: { title: 'Could not connect', fix: 'Check your network and the provider’s address. In a browser tab: check that "oidc-desk ui" still runs, then reload the page.' },
  HTTP_BODY_TOO_LARGE: { title: 'The provider’s answer was too large', fix: 'Answers over 1 MiB are refused. Check the provider.' },
  HTTP_REDIRECT: { title: 'The provider answered with a redirect', fix: 'Back-channel requests never follow redirects. Check the issuer URL (http versus https, a missing path).' },
  HTTP_STATUS: { title: 'The provider had a server error', fix: 'It is retried later on its own; try again in a moment.' },
  LOOPBACK_LISTEN_FAILED: { title: 'Could not listen for the sign-in answer', fix: 'Another program holds the profile’s fixed loopback port: stop it, or use a free port ("loopback").' },
  DEMO_PORT_TAKEN: { title: 'Another program holds the demo provider’s port', fix: 'Stop that program, or move the demo provider with "oidc-desk demo-idp --port 0". No token was sent to it.' },
  KEYCHAIN_UNAVAILABLE: { title: 'No keychain is available', fix: 'On Linux, install and start a Secret Service: gnome-keyring (or KWallet). Until then sessions are kept in memory only.' },
  KEYCHAIN_LOCKED: { title: 'The keychain is locked', fix: 'Unlock it (log in to your desktop session, or unlock the login keyring); sessions are kept in memory only until then.' },
  KEYCHAIN_TIMEOUT: { title: 'The keychain did not answer', fix: 'A keychain prompt may be waiting for you. Answer it, or unlock the keychain.' },
  KEYCHAIN_ENTRY_TOO_LARGE: { title: 'The keychain refused an entry this large', fix: 'The provider’s refresh token is too large for this keychain (Windows caps entries at 2560 bytes).' },
  KEYCHAIN_ENTRY_CORRUPT: { title: 'A keychain entry was damaged', fix: 'It was removed and never sent. Sign in again.' },
  KEYCHAIN_FAILED: { title: 'The keychain failed', fix: 'Check that the keychain service runs, then try again.' },
  BROWSER_HANDOFF_FAILED: { title: 'Could not hand the sign-in to the browser', fix: 'Open the sign-in link yourself.' },
  INTERNAL: { title: 'Something unexpected failed', fix: 'Try again. If it keeps happening, please report it with what you did.' },
  SCHEME_HOST_UNAVAILABLE: { title: 'Only the desktop app registers URI schemes', fix: 'Open the desktop app to register this profile’s scheme with the operating system and to test it.' },
  SCHEME_REGISTRATION_FAILED: { title: 'The operating system refused the scheme', fix: 'Read the message: on Linux, xdg-utils (xdg-mime, xdg-open) must be installed; on macOS, only schemes listed in the app’s Info.plist can be registered.' },
  SCHEME_TEST_TIMEOUT: { title: 'The self-test did not come back', fix: 'The operating system did not hand the scheme to OIDC Desk in time: another program may be its handler. Register it again (save the profile), then test once more.' },
  OKTA_INVALID_CREDENTIALS: { title: 'Okta did not accept the username and password', fix: 'Check both and sign in again. Okta locks an account after several failed attempts.' },
  OKTA_MFA_REQUIRED: { title: 'Okta asks for a second factor', fix: 'OIDC Desk does not do multi-factor sign-in through Okta’s Authentication API. Sign in through the browser instead: a profile of the authorization code flow for the same app.' },
  OKTA_LOCKED_OUT: { title: 'The Okta account is locked out', fix: 'Unlock it (Okta’s self-service unlock, or ask an Okta administrator), then sign in again.' },
  OKTA_PASSWORD_EXPIRED: { title: 'The Okta password has expired', fix: 'Change it by signing in to Okta in a browser, then sign in here again.' },
  OKTA_AUTHN_UNSUPPORTED: { title: 'Okta wants a step OIDC Desk does not take this way', fix: 'Finish what the message names at Okta in a browser, or sign in through the browser with a profile of the authorization code flow.' },
  OKTA_AUTHN_FAILED: { title: 'Okta’s Authentication API refused the sign-in', fix: 'Read what Okta said below. The issuer must be an Okta org on the classic engine: an Okta Identity Engine org may refuse the Authentication API; then use the browser sign-in.' },
  OKTA_RATE_LIMITED: { title: 'Okta is limiting sign-in requests', fix: 'Wait the time the message names, then sign in again.' },
  PAR_REQUIRED: { title: 'The provider requires pushed authorization requests', fix: 'Set the profile’s “Pushed authorization requests” to auto (or always): OIDC Desk then sends the request to the provider first (RFC 9126). Nothing was sent.' },
  PAR_REQUEST_EXPIRED: { title: 'The pushed sign-in request expired', fix: 'The provider keeps a pushed request for a short time and takes it once. Start the sign-in again and open its page right away.' },
  DPOP_KEY_MISSING: { title: 'This session’s DPoP key is gone from the keychain', fix: 'Its tokens are bound to that key and are never sent without it. The session is kept; sign in again to give it a new key.' },
  DPOP_NOT_BOUND: { title: 'The provider did not bind the tokens to the DPoP key', fix: 'It answered with another token type than DPoP. Turn DPoP on for this app at the provider (Okta: “Require Demonstrating Proof of Possession (DPoP) header in token requests”), or off in the profile.' },
  DPOP_BINDING_MISMATCH: { title: 'The access token is bound to another key', fix: 'Its cnf.jkt names a key that is not this session’s DPoP key, so the tokens were refused. Sign in again; if it persists, the provider is misbehaving.' },
  ID_TOKEN_NONCE_MISMATCH: { title: 'The ID token does not belong to this sign-in', fix: 'Its nonce is not the one this sign-in sent: it may have been replayed or injected into the redirect. Nothing was stored. ' + START_AGAIN },
  ID_TOKEN_AT_HASH_MISSING: { title: 'The ID token does not vouch for the access token', fix: 'An access token came in the redirect, but the ID token has no at_hash to bind it. Nothing was stored. Prefer the authorization code flow with PKCE.' },
  ID_TOKEN_AT_HASH_MISMATCH: { title: 'The access token does not belong with the ID token', fix: 'The ID token’s at_hash is not the access token’s hash: the access token may have been swapped in the redirect. Nothing was stored. ' + START_AGAIN },
  ID_TOKEN_C_HASH_MISSING: { title: 'The ID token does not vouch for the code', fix: 'A code came in the redirect, but the ID token has no c_hash to bind it. Nothing was exchanged or stored.' },
  ID_TOKEN_C_HASH_MISMATCH: { title: 'The code does not belong with the ID token', fix: 'The ID token’s c_hash is not the code’s hash: the code may have been swapped in the redirect. Nothing was exchanged or stored. ' + START_AGAIN },
  ID_TOKEN_SUBJECT_MISMATCH: { title: 'The two ID tokens name different users', fix: 'The token endpoint’s ID token has another issuer or subject than the one in the redirect. Nothing was stored. ' + START_AGAIN },
  NO_ACCESS_TOKEN: { title: 'This session has no access token', fix: 'Its response type (id_token) brings an ID token only. To call an API, use a profile with the response type “id_token token”, or better the authorization code flow.' },
  DEVICE_CODE_EXPIRED: { title: 'The code expired', fix: 'The sign-in was not finished on the other device in time. Start the sign-in again for a new code, and enter it soon.' },
  DEVICE_AUTHORIZATION_INVALID: { title: 'The provider’s device sign-in cannot be shown', fix: 'The provider sent an address that is not https, or a code that is not short printable text, so nothing was shown or opened. Check the issuer in the profile; if it is right, the provider is misconfigured.' },
};

/** What to do about some OAuth error values the provider names, more precise than the code alone. */
const OAUTH_HELP: Readonly<Record<string, ErrorHelp>> = {
  invalid_client: ERROR_HELP.INVALID_CLIENT,
  unauthorized_client: { title: 'The app may not use this flow', fix: 'At the provider, allow the Authorization Code and Refresh Token grant types for this app.' },
  invalid_scope: { title: 'A scope is not allowed', fix: 'Remove the scope, or allow it at the provider (an Okta custom authorization server’s access policy lists the scopes; offline_access needs the Refresh Token grant type).' },
  access_denied: ERROR_HELP.SIGN_IN_CANCELLED,
  consent_required: { title: 'Consent is needed', fix: 'Sign in again and allow access on the consent page.' },
  login_required: { title: 'The provider needs you to sign in', fix: START_AGAIN },
};

/** The help for an error: by its OAuth error value when the provider sent a known one, else by its code. */
export function errorHelp(error: Pick<ErrorView, 'code' | 'oauthError'>): ErrorHelp {
  const byOauth = error.oauthError === undefined || !Object.hasOwn(OAUTH_HELP, error.oauthError) ? undefined : OAUTH_HELP[error.oauthError];
  return byOauth ?? ERROR_HELP[error.code] ?? ERROR_HELP.INTERNAL;
}

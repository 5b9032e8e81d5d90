/**
 * The one error type of OIDC Desk, with a closed union of stable codes.
 *
 * Every front shows `code` and `message`; tests assert on `code`. Messages never carry a token, code,
 * verifier, state or nonce. `cause` keeps the underlying error for the exchange log and debugging.
 * @module
 */

/** Stable error codes, grouped by what the user can do about them. */
export const ERROR_CODES = {
  // usage / configuration: the user must change their input
  PROFILE_INVALID: 'usage',
  PROFILE_NOT_FOUND: 'usage',
  PROFILE_EXISTS: 'usage',
  ISSUER_INVALID: 'usage',
  ISSUER_INSECURE: 'usage',
  REDIRECT_SCHEME_INVALID: 'usage',
  REDIRECT_UNSUPPORTED: 'usage',
  SESSION_NOT_FOUND: 'usage',
  USAGE: 'usage',
  /** The data directory, or a file in it, is a link, another user's, or writable by others: the user must fix it. */
  DATA_DIR_INSECURE: 'usage',
  /** The desktop app refused an IPC call from a frame that is not its window's own page: nothing ran. */
  IPC_SENDER_REFUSED: 'usage',

  /** The profile's client authentication needs a client secret (or private key) that was never set on this computer. */
  CLIENT_SECRET_MISSING: 'usage',
  // protocol / validation: something received was invalid, or the provider said no
  DISCOVERY_FAILED: 'protocol',
  DISCOVERY_ISSUER_MISMATCH: 'protocol',
  ENDPOINT_NOT_SUPPORTED: 'protocol',
  CALLBACK_TOO_LARGE: 'protocol',
  CALLBACK_MALFORMED: 'protocol',
  CALLBACK_FOREIGN_SCHEME: 'protocol',
  CALLBACK_STATE_MISSING: 'protocol',
  CALLBACK_STATE_UNKNOWN: 'protocol',
  CALLBACK_ISS_MISMATCH: 'protocol',
  CALLBACK_INVALID: 'protocol',
  SIGN_IN_CANCELLED: 'protocol',
  AUTHORIZATION_ERROR: 'protocol',
  FLOW_LIMIT: 'protocol',
  FLOW_TIMEOUT: 'protocol',
  TOKEN_RESPONSE_INVALID: 'protocol',
  TOKEN_ERROR: 'protocol',
  INVALID_GRANT: 'protocol',
  INVALID_CLIENT: 'protocol',
  /** The provider does not allow this client the grant type asked for (OAuth `unauthorized_client`). */
  UNAUTHORIZED_CLIENT: 'protocol',
  ID_TOKEN_INVALID: 'protocol',
  ID_TOKEN_SIGNATURE_INVALID: 'protocol',
  ID_TOKEN_ALG_NOT_ALLOWED: 'protocol',
  ID_TOKEN_KEY_NOT_FOUND: 'protocol',
  ID_TOKEN_CLAIMS_CHANGED: 'protocol',
  NO_ID_TOKEN: 'protocol',
  ID_TOKEN_UNAVAILABLE: 'protocol',
  ACCESS_TOKEN_REJECTED: 'protocol',
  TOKEN_ENDPOINT_REFUSED: 'protocol',
  REFRESH_FAILING: 'protocol',
  SESSION_BINDING_MISMATCH: 'protocol',
  JWT_MALFORMED: 'protocol',
  USERINFO_SUB_MISMATCH: 'protocol',
  USERINFO_FAILED: 'protocol',
  INTROSPECTION_FAILED: 'protocol',
  REVOCATION_FAILED: 'protocol',
  SIGN_IN_NEEDED: 'protocol',
  SESSION_BUSY: 'protocol',
  INDEX_CORRUPT: 'protocol',
  INDEX_NEWER_VERSION: 'protocol',
  DATA_FILE_TOO_LARGE: 'protocol',
  // network: nothing (valid) came back in time
  HTTP_TIMEOUT: 'network',
  HTTP_NETWORK: 'network',
  HTTP_BODY_TOO_LARGE: 'protocol',
  HTTP_REDIRECT: 'protocol',
  HTTP_STATUS: 'network',
  LOOPBACK_LISTEN_FAILED: 'network',
  /** Another program holds the port of the demo provider's recorded issuer: nothing is sent there. */
  DEMO_PORT_TAKEN: 'network',
  // keychain
  KEYCHAIN_UNAVAILABLE: 'keychain',
  KEYCHAIN_LOCKED: 'keychain',
  KEYCHAIN_TIMEOUT: 'keychain',
  KEYCHAIN_ENTRY_TOO_LARGE: 'keychain',
  KEYCHAIN_ENTRY_CORRUPT: 'keychain',
  KEYCHAIN_FAILED: 'keychain',
  // anything else
  BROWSER_HANDOFF_FAILED: 'protocol',
  INTERNAL: 'protocol',
  // URI scheme registration (the desktop app's host)
  /** This front cannot register URI schemes with the OS (the CLI, browser mode): only the desktop app does. */
  SCHEME_HOST_UNAVAILABLE: 'usage',
  /** The OS refused to register a scheme, or to open a self-test URL. */
  SCHEME_REGISTRATION_FAILED: 'protocol',
  /** A self-test URL did not come back through the OS in time: the scheme does not reach this app. */
  SCHEME_TEST_TIMEOUT: 'network',
  // Okta's Authentication API (the okta_session_token flow)
  /** Okta did not accept the username and password (`E0000004`). */
  OKTA_INVALID_CREDENTIALS: 'protocol',
  /** Okta wants a second factor (or its enrolment): OIDC Desk does not do MFA through the Authentication API. */
  OKTA_MFA_REQUIRED: 'protocol',
  /** The Okta account is locked out. */
  OKTA_LOCKED_OUT: 'protocol',
  /** The Okta account's password has expired and must be changed first. */
  OKTA_PASSWORD_EXPIRED: 'protocol',
  /** Okta answered a transaction status that needs steps OIDC Desk does not take this way (recovery, a password warning, ...). */
  OKTA_AUTHN_UNSUPPORTED: 'protocol',
  /** Okta's Authentication API refused otherwise, or answered something that is not its documented answer. */
  OKTA_AUTHN_FAILED: 'protocol',
  /** Okta's rate limit was reached (HTTP 429): try again after the time it names. */
  OKTA_RATE_LIMITED: 'network',
  // pushed authorization requests (RFC 9126) and DPoP (RFC 9449)
  /** The provider requires pushed authorization requests and the profile's PAR setting is `never`: nothing was sent. */
  PAR_REQUIRED: 'usage',
  /** The pushed request's `request_uri` expired before the browser was sent to it: start the sign-in again. */
  PAR_REQUEST_EXPIRED: 'protocol',
  /** The session's tokens are DPoP-bound but its keychain entry holds no DPoP key: nothing was sent, the session is kept. */
  DPOP_KEY_MISSING: 'keychain',
  /** DPoP was asked for and the provider answered another token type than `DPoP`: the tokens were refused. */
  DPOP_NOT_BOUND: 'protocol',
  /** The access token's `cnf.jkt` names another key than the session's DPoP key: the tokens were refused. */
  DPOP_BINDING_MISMATCH: 'protocol',
  // the implicit and hybrid flows (legacy): an ID token from the authorization endpoint must be bound to what came with it
  /** The front channel's ID token does not carry the nonce this sign-in sent (OIDC Core §3.2.2.11): it may be replayed or injected. */
  ID_TOKEN_NONCE_MISMATCH: 'protocol',
  /** An access token came with the ID token from the authorization endpoint, and the ID token has no `at_hash` (OIDC Core §3.2.2.10). */
  ID_TOKEN_AT_HASH_MISSING: 'protocol',
  /** The ID token's `at_hash` is not the hash of the access token that came with it (OIDC Core §3.2.2.9). */
  ID_TOKEN_AT_HASH_MISMATCH: 'protocol',
  /** A code came with the ID token from the authorization endpoint, and the ID token has no `c_hash` (OIDC Core §3.3.2.11). */
  ID_TOKEN_C_HASH_MISSING: 'protocol',
  /** The ID token's `c_hash` is not the hash of the code that came with it (OIDC Core §3.3.2.10). */
  ID_TOKEN_C_HASH_MISMATCH: 'protocol',
  /** The token endpoint's ID token names another issuer or subject than the front channel's (OIDC Core §3.3.3.6). */
  ID_TOKEN_SUBJECT_MISMATCH: 'protocol',
  /** The session has no access token: its response type (`id_token`) brings an ID token only. */
  NO_ACCESS_TOKEN: 'protocol',
  // the device authorization grant (RFC 8628)
  /** The device code expired before the sign-in was finished on the other device (`expired_token`, or its `expires_in` passed). */
  DEVICE_CODE_EXPIRED: 'protocol',
  /** The provider's device authorization response cannot be shown: a verification URI that is not https (or http on loopback for a local provider), a user code that is not short printable text. */
  DEVICE_AUTHORIZATION_INVALID: 'protocol',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
/** What kind of failure a code is; the CLI maps it to its exit status. */
export type ErrorCategory = (typeof ERROR_CODES)[ErrorCode];

/** The OIDC Desk error: a stable `code`, a message that says what to do, the cause kept. */
export class DeskError extends Error {
  override readonly name = 'DeskError';
  readonly code: ErrorCode;
  /** The OAuth `error` value when the provider sent one (`invalid_grant`, `access_denied`, ...). */
  readonly oauthError: string | undefined;
  /** The provider's `error_description`, untrusted text: render it as text only. */
  readonly oauthErrorDescription: string | undefined;
  /** HTTP status when the error came from a response. */
  readonly status: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; oauthError?: string; oauthErrorDescription?: string; status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.oauthError = options.oauthError;
    this.oauthErrorDescription = options.oauthErrorDescription;
    this.status = options.status;
  }

  get category(): ErrorCategory {
    return ERROR_CODES[this.code];
  }

  /** A plain object safe to send to a front (no cause, no stack). */
  toJSON(): { code: ErrorCode; message: string; oauthError?: string; oauthErrorDescription?: string; status?: number } {
    return {
      code: this.code,
      message: this.message,
      ...(this.oauthError === undefined ? {} : { oauthError: this.oauthError }),
      ...(this.oauthErrorDescription === undefined ? {} : { oauthErrorDescription: this.oauthErrorDescription }),
      ...(this.status === undefined ? {} : { status: this.status }),
    };
  }
}

/** A DeskError again from its view (what the API returns): for fronts that turn a failed Result into an exception. */
export function fromErrorView(view: { readonly code: ErrorCode; readonly message: string; readonly oauthError?: string; readonly oauthErrorDescription?: string; readonly status?: number }): DeskError {
  return new DeskError(view.code in ERROR_CODES ? view.code : 'INTERNAL', view.message, {
    ...(view.oauthError === undefined ? {} : { oauthError: view.oauthError }),
    ...(view.oauthErrorDescription === undefined ? {} : { oauthErrorDescription: view.oauthErrorDescription }),
    ...(view.status === undefined ? {} : { status: view.status }),
  });
}

/** True when `value` is a DeskError, optionally with the given code. */
export function isDeskError(value: unknown, code?: ErrorCode): value is DeskError {
  return value instanceof DeskError && (code === undefined || value.code === code);
}

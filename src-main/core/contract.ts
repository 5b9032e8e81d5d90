/**
 * The contract between the core and every front (Electron IPC, CLI, test harness): the views a front
 * may see. Types only; the renderer imports nothing else from the core. No view carries a refresh
 * token; full access and ID tokens are only in {@link RevealedToken}, answered to an explicit action.
 * @module
 */
import type { ErrorCode } from './errors.ts';
import type { FrontChannelFlow, FrontChannelResponseType } from './front-channel-flows.ts';
import type { Exchange } from './http/exchange-log.ts';
import type { HarDocument } from './http/har.ts';
import type { JwtReport } from './oauth/jwt-report.ts';
import type { ProviderCheck } from './oauth/provider-check.ts';
import type { ClientAuthMethod, Flow, ParMode } from './profile.ts';

export type { HarDocument } from './http/har.ts';
export type { ProviderCheck } from './oauth/provider-check.ts';
export type { ClientAuthMethod, Flow, ParMode } from './profile.ts';
export type { FrontChannelResponseType } from './front-channel-flows.ts';

/** One back-channel HTTP exchange of a session's timeline: method, URL, status, duration, headers and bodies, every secret masked. */
export type TimelineEntry = Exchange;

/** A session's state as fronts show it. */
export type SessionStatus = 'active' | 'expired' | 'sign-in-needed' | 'refresh-failing' | 'session-only';

/** Where a session's refresh token lives. */
export type SecretStorage = 'keychain' | 'session-only' | 'none';

/** A token shown without its value: a fingerprint to correlate with the exchange log, and its size. */
export interface MaskedToken {
  readonly fingerprint: string;
  readonly length: number;
  /** `jwt` when it parses as a compact JWS, else `opaque`. */
  readonly format: 'jwt' | 'opaque';
}

/** An error as fronts receive it. */
export interface ErrorView {
  readonly code: ErrorCode;
  readonly message: string;
  readonly oauthError?: string;
  /** Untrusted provider text: render as text only. */
  readonly oauthErrorDescription?: string;
  /** The HTTP status of the answer, when the error came from one. */
  readonly status?: number;
}

/** What a front may know about a session. */
export interface SessionView {
  readonly id: string;
  readonly profile: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly subject: string;
  readonly displayName: string | undefined;
  readonly scopes: readonly string[];
  readonly status: SessionStatus;
  readonly storage: SecretStorage;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Access token expiry (ms since the epoch), when known; for a session with an ID token only (implicit `id_token`), the ID token's `exp`. */
  readonly expiresAt: number | undefined;
  /** Present while this process holds an access token. */
  readonly accessToken: MaskedToken | undefined;
  /** The ID token held (the sign-in's, or a newer one a refresh brought), with its report as verified when received. */
  readonly idToken: (MaskedToken & { readonly claims: Readonly<Record<string, unknown>>; readonly report: JwtReport | undefined; readonly receivedAt: number }) | undefined;
  readonly hasRefreshToken: boolean;
  readonly refreshing: boolean;
  readonly lastError: ErrorView | undefined;
  /** The grant the session came from: a `client_credentials` session is the client's own (no user, no ID token, no refresh token). */
  readonly flow: Flow;
  /** Present when the session's tokens are DPoP-bound (RFC 9449) to a key of its own. */
  readonly dpop?: DpopView;
  /** For an implicit or hybrid session: the legacy warning and where its tokens came from. */
  readonly legacy?: LegacyFlowView;
}

/**
 * A DPoP-bound session as fronts see it: its key's public thumbprint only (the private key stays in the
 * keychain, beside the refresh token).
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export interface DpopView {
  /** The RFC 7638 JWK SHA-256 thumbprint of the session's DPoP public key (what `cnf.jkt` names). */
  readonly jkt: string;
  /**
   * How the access token held shows it is bound to this key: `cnf` (a JWT whose `cnf.jkt` equals `jkt`) or
   * `token-type` (the provider answered `token_type` DPoP; an opaque token says no more). Absent while no
   * access token is held. A token bound to another key, or not bound, is never held: it was refused.
   */
  readonly accessTokenBinding?: 'cnf' | 'token-type';
}

/** Where a token of a session came from: the browser's redirect (front channel), the token endpoint, or nowhere. */
export type TokenSource = 'front-channel' | 'token-endpoint' | 'none';

/** What fronts show of an implicit or hybrid session (legacy flows, RFC 9700 §2.1.2). */
export interface LegacyFlowView {
  readonly flow: FrontChannelFlow;
  readonly responseType: FrontChannelResponseType;
  /** Why the flow is legacy and what to use instead. */
  readonly warning: string;
  readonly accessToken: TokenSource;
  readonly idToken: TokenSource;
  /** True when an ID token came in the redirect too and was verified (nonce, at_hash, c_hash) before anything else was used. */
  readonly frontChannelIdTokenVerified: boolean;
}

/** A token the user explicitly asked to see in full. */
export interface RevealedToken {
  readonly sessionId: string;
  readonly type: 'access' | 'id' | 'refresh';
  readonly value: string;
}

/** Keychain state as fronts show it. */
export interface KeychainView {
  readonly state: 'available' | 'locked' | 'unavailable';
  readonly message?: string;
  /** True when new sessions are kept in memory only. */
  readonly sessionOnly: boolean;
}

/** Comparison of one userinfo claim with the ID token's (OIDC Core §5.3.2). */
export interface UserinfoClaimComparison {
  readonly claim: string;
  readonly userinfo: unknown;
  readonly idToken: unknown;
  readonly relation: 'same' | 'only-userinfo' | 'only-id-token' | 'different';
}

/** The userinfo result beside the ID token's claims. */
export interface UserinfoView {
  readonly sessionId: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly comparison: readonly UserinfoClaimComparison[];
}

/** What RFC 7662 introspection says about a token. */
export interface Introspection {
  readonly active: boolean;
  readonly scope?: string;
  readonly clientId?: string;
  readonly exp?: number;
  readonly sub?: string;
  readonly tokenType?: string;
}

/** An introspection result, as shown for one of a session's tokens. */
export interface IntrospectionView extends Introspection {
  readonly sessionId: string;
  readonly token: 'access' | 'refresh';
}

/** A change the session service announces to every front. */
export type SessionEvent =
  | { readonly type: 'session-added' | 'session-updated'; readonly session: SessionView }
  | { readonly type: 'session-removed'; readonly sessionId: string }
  | { readonly type: 'keychain'; readonly keychain: KeychainView };

// ---- The API every front calls (DeskApi) ----------------------------------------------------------

/** The outcome of every operation: plain data only (no promise, function or class inside a value). */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorView };

/**
 * A profile as fronts see and edit it. `redirect` is `app-scheme` (the app's `dev.oidcdesk:/callback`),
 * `loopback` (127.0.0.1 on a free port), or the exact URI: a private-use scheme, or a fixed loopback one.
 */
export interface ProfileView {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /**
   * `loopback`, `app-scheme`, a fixed loopback URI or a custom-scheme URI; null for a flow whose answer
   * comes on no redirect (client credentials, password, device code).
   */
  readonly redirect: string | null;
  readonly allowHttpLoopback: boolean;
  readonly extraParams: Readonly<Record<string, string>>;
  /** The grant the profile signs in with. */
  readonly flow: Flow;
  /** The client authentication at the token endpoint (`none` for a public client). */
  readonly clientAuth: ClientAuthMethod;
  /**
   * For the password, implicit and hybrid flows: the legacy warning (RFC 9700 §2.4, §2.1.2); for the Okta
   * session token flow: where the password goes; for an implicit profile asking for `offline_access`, that it
   * does nothing (after the legacy warning). To show wherever the profile is.
   */
  readonly warning?: string;
  /** For the implicit and hybrid flows: the `response_type`. */
  readonly responseType?: FrontChannelResponseType;
  /** Pushed authorization requests (RFC 9126): `auto` (when the provider requires them), `always` or `never`. */
  readonly par: ParMode;
  /** DPoP (RFC 9449): the session's tokens are bound to a key pair of its own. */
  readonly dpop: boolean;
}

/** A new or changed profile: the view's fields; scopes may be one space-separated string. */
export interface ProfileInput {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes?: string | readonly string[];
  /** As the view's; null (a flow that uses no redirect) is the default. */
  readonly redirect?: string | null;
  readonly allowHttpLoopback?: boolean;
  readonly extraParams?: Readonly<Record<string, string>>;
  readonly flow?: Flow;
  readonly clientAuth?: ClientAuthMethod;
  readonly par?: ParMode;
  readonly dpop?: boolean;
  /** For the implicit and hybrid flows: `id_token`, `id_token token`; `code id_token`, `code token`, `code id_token token`. */
  readonly responseType?: FrontChannelResponseType;
}

/**
 * A confidential client's credential as fronts see it: whether a secret is set (never the secret), and the
 * public half of its `private_key_jwt` key with its RFC 7638 thumbprint, to register at the provider.
 */
export interface ClientCredentialView {
  readonly profile: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientAuth: ClientAuthMethod;
  readonly secretSet: boolean;
  readonly publicKey: { readonly jwk: Readonly<Record<string, string>>; readonly thumbprint: string } | null;
}

/** A sign-in that needed no browser (client credentials, password, Okta session token): it is complete, `sign-in-completed` was emitted too. */
export interface SignInDone {
  readonly flowId: string;
  readonly profile: string;
  readonly session: SessionView;
}

/** Optional parameters of one sign-in (OpenID Connect Core §3.1.2.1). */
export interface SignInOptions {
  readonly prompt?: string;
  readonly loginHint?: string;
  readonly maxAge?: number;
  readonly acrValues?: string;
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** A sign-in waiting for the browser. Its outcome arrives as a `sign-in-completed` or `sign-in-failed` event. */
export interface SignInStart {
  /** Refers to this sign-in in events and in `cancelSignIn` (it is not the OAuth state). */
  readonly flowId: string;
  readonly profile: string;
  /** Open this in the system browser (through a private redirect file: never on a command line). */
  readonly authorizationUrl: string;
  readonly redirectUri: string;
  /** When the sign-in gives up waiting (ms since the epoch). */
  readonly expiresAt: number;
  /**
   * Present when the authorization request was pushed (PAR, RFC 9126): `authorizationUrl` carries only
   * `client_id` and `request_uri`, which the provider takes once, until this time (ms since the epoch).
   */
  readonly requestUriExpiresAt?: number;
}

/** What happened to each token at sign-out. */
export type RevocationOutcome = 'revoked' | 'pending' | 'refused' | 'unreachable' | 'none';

/** What a sign-out did; an RP-initiated logout's return arrives as an `end-session` event. */
export interface SignOutView {
  readonly sessionId: string;
  /** Every token there was got revoked at the provider. */
  readonly revoked: boolean;
  /** The provider could not be reached: the refresh token waits in the keychain and is retried later. */
  readonly revocationPending: boolean;
  readonly tokens: { readonly refresh: RevocationOutcome; readonly access: RevocationOutcome };
  /** Why a revocation was refused or not sent: the token may still be valid at the provider until it expires. */
  readonly revocationError?: ErrorView;
  /** Revocations owed from earlier sign-outs, tried once more: how many still wait, and any that cannot be sent. */
  readonly earlierRevocations?: { readonly pending: number; readonly problems: readonly ErrorView[] };
  /** RP-initiated logout: open `url` in the system browser; the return is reported for `flowId`. */
  readonly endSession?: { readonly flowId: string; readonly url: string };
}

/** An access or ID token the user explicitly asked for (never a refresh token). */
export interface TokenValue {
  readonly sessionId: string;
  readonly type: 'access' | 'id';
  readonly value: string;
  /** Expiry (ms since the epoch): the access token's, or the ID token's `exp`. */
  readonly expiresAt: number | undefined;
}

/** The verification report of a session's ID token or of any JWT, and what it was checked against. */
export interface JwtInspection {
  readonly source: 'session' | 'jwt';
  readonly sessionId: string | null;
  /** The session's subject, or the JWT's `sub`; null when it has none. */
  readonly subject: string | null;
  /** The profile whose issuer and client the token was checked against; null when none matched. */
  readonly profile: string | null;
  readonly issuer: string | null;
  /** Claims with the sign-in's own secrets (nonce, sid) masked. */
  readonly report: Extract<JwtReport, { kind: 'jwt' }>;
}

/** The embedded demo provider of this data directory. */
export interface DemoProviderView {
  readonly running: boolean;
  /** Its issuer, while it runs or as last recorded. */
  readonly issuer: string | null;
  readonly pid: number | null;
}

/** A change every front hears about. */
export type DeskEvent =
  | SessionEvent
  | { readonly type: 'sign-in-started'; readonly flowId: string; readonly profile: string; readonly expiresAt: number }
  | { readonly type: 'timeline'; readonly entry: TimelineEntry }
  | { readonly type: 'sign-in-completed'; readonly flowId: string; readonly session: SessionView; readonly strayRequests: number }
  | { readonly type: 'sign-in-failed'; readonly flowId: string; readonly error: ErrorView; readonly strayRequests: number }
  | { readonly type: 'end-session'; readonly flowId: string; readonly error?: ErrorView }
  | DeviceSignInProgress;

/**
 * Every operation a front may perform: one plain, schema-checked input object (or none) and a
 * {@link Result}. The desktop window gets exactly this through its preload, browser mode through its
 * local server, the CLI and the tests by calling it. A refresh token never leaves the core through it.
 */
export interface DeskApi {
  listProfiles(): Promise<Result<readonly ProfileView[]>>;
  addProfile(input: { readonly profile: ProfileInput }): Promise<Result<ProfileView>>;
  /** Replaces the profile called `name` (which may get another name). */
  updateProfile(input: { readonly name: string; readonly profile: ProfileInput }): Promise<Result<ProfileView>>;
  removeProfile(input: { readonly name: string }): Promise<Result<null>>;
  /**
   * Discovery for an issuer and client (of a saved profile, or given), and what the provider announces that
   * matters to a native client: PKCE S256, RFC 9207 `iss`, refresh, revocation, introspection, end session,
   * device grant, PAR, DPoP.
   */
  checkProvider(input: { readonly profile: string } | { readonly issuer: string; readonly clientId: string; readonly allowHttpLoopback?: boolean }): Promise<Result<ProviderCheck>>;

  /**
   * Starts a sign-in that waits for the browser at most `timeoutSeconds` (default 10 minutes). A profile
   * whose flow needs no browser (client credentials; password and Okta session token, with `username` and
   * `password`) completes here and answers {@link SignInDone} (tell them apart by `'session' in value`). A
   * device flow profile answers {@link DeviceSignInStart} at once (`'device' in value`): the code to enter on
   * another device.
   */
  startSignIn(input: { readonly profile: string; readonly options?: SignInOptions; readonly timeoutSeconds?: number; readonly username?: string; readonly password?: string }): Promise<Result<SignInStart | SignInDone | DeviceSignInStart>>;
  /**
   * Ends a waiting sign-in. With `reason: 'request-uri-expired'` (a front that was about to send the browser
   * to a pushed request's URL after its `requestUriExpiresAt`) it ends with `PAR_REQUEST_EXPIRED` when the
   * request_uri has indeed expired, else as cancelled.
   */
  cancelSignIn(input: { readonly flowId: string; readonly reason?: 'request-uri-expired' }): Promise<Result<null>>;

  listSessions(): Promise<Result<readonly SessionView[]>>;
  getSession(input: { readonly sessionId: string }): Promise<Result<SessionView>>;
  refreshSession(input: { readonly sessionId: string }): Promise<Result<SessionView>>;
  getUserinfo(input: { readonly sessionId: string }): Promise<Result<UserinfoView>>;
  introspectToken(input: { readonly sessionId: string; readonly token: 'access' | 'refresh' }): Promise<Result<IntrospectionView>>;
  /** Revokes one token at the provider; revoking the refresh token ends the session's grant (sign-in needed). */
  revokeToken(input: { readonly sessionId: string; readonly token: 'access' | 'refresh' }): Promise<Result<SessionView>>;
  signOut(input: { readonly sessionId: string; readonly revoke?: boolean; readonly endSession?: boolean }): Promise<Result<SignOutView>>;

  /** An access token valid for at least `minValiditySeconds` (default 60), or the ID token: an explicit user action. */
  revealToken(input: { readonly sessionId: string; readonly type: 'access' | 'id'; readonly minValiditySeconds?: number }): Promise<Result<TokenValue>>;
  /** The report of a session's ID token (`sessionId`) or of any JWT (`token`), checked against the profile of its issuer. */
  inspectJwt(input: { readonly sessionId: string } | { readonly token: string }): Promise<Result<JwtInspection>>;

  /** The session's back-channel exchanges made by this process (its sign-in included), masked, oldest first. */
  sessionTimeline(input: { readonly sessionId: string }): Promise<Result<readonly TimelineEntry[]>>;
  /** The same timeline as an HTTP Archive (HAR 1.2) document, still masked. */
  exportHar(input: { readonly sessionId: string }): Promise<Result<HarDocument>>;

  keychainStatus(): Promise<Result<KeychainView>>;
  /** Problems found at start-up that the user must deal with (a damaged file kept aside, ...): shown on every start. */
  startupProblems(): Promise<Result<readonly ErrorView[]>>;
  demoProvider(): Promise<Result<DemoProviderView>>;
  /**
   * Makes sure the embedded demo provider runs (the host starts it on demand) and that the ready-made
   * `demo` profile points at it: the first-run path, followed by `startSignIn({ profile: 'demo' })`.
   */
  ensureDemoProvider(): Promise<Result<{ readonly provider: DemoProviderView; readonly profile: ProfileView }>>;

  /**
   * Whether the OS hands the profile's redirect scheme to this app (RFC 8252 §7.1); `not-applicable` for a
   * loopback profile. Only the desktop app knows: other fronts answer `SCHEME_HOST_UNAVAILABLE`.
   */
  schemeStatus(input: { readonly profile: string }): Promise<Result<SchemeStatusView>>;
  /**
   * Asks the OS to open `<scheme>:/self-test?nonce=...` and waits (bounded) until it comes back to this app:
   * `SCHEME_TEST_TIMEOUT` when it does not. Only the desktop app can: other fronts answer `SCHEME_HOST_UNAVAILABLE`.
   */
  testScheme(input: { readonly profile: string }): Promise<Result<SchemeTestView>>;

  /** Whether the profile's client has a secret set on this computer, and its public key (never a secret). */
  clientCredential(input: { readonly profile: string }): Promise<Result<ClientCredentialView>>;
  /** Sets the profile's client secret in the OS keychain, bound to its issuer and client id; it is never returned. */
  setClientSecret(input: { readonly profile: string; readonly secret: string }): Promise<Result<ClientCredentialView>>;
  /** Makes a new `private_key_jwt` key pair (ES256 by default): the private key to the keychain, the public JWK in the view. */
  generateClientKey(input: { readonly profile: string; readonly alg?: 'ES256' | 'RS256' }): Promise<Result<ClientCredentialView>>;

  /** Subscribes to every change; returns the unsubscribe function. */
  subscribe(listener: (event: DeskEvent) => void): () => void;
}

/** The names of the operations of {@link DeskApi} (what a preload or a browser-mode client exposes). */
export type DeskOperation = Exclude<keyof DeskApi, 'subscribe'>;

// ---- Private-use URI schemes (RFC 8252 §7.1): what the desktop app registers with the OS ----------

/** What the OS says about one URI scheme. */
export interface SchemeRegistration {
  /** `yes` when the OS hands the scheme to this app; `unknown` when the OS could not be asked. */
  readonly registered: 'yes' | 'no' | 'unknown';
  /** The handler the OS names for the scheme (a .desktop file id, an application name), when it names one. */
  readonly handler?: string;
  /** One sentence on what was found (never a URL with a nonce or a code). */
  readonly detail: string;
}

/** A profile's redirect scheme and whether it reaches this app. */
export interface SchemeStatusView {
  readonly profile: string;
  /** The scheme of the profile's redirect URI; null for a loopback redirect (nothing to register). */
  readonly scheme: string | null;
  readonly registered: SchemeRegistration['registered'] | 'not-applicable';
  readonly handler?: string;
  readonly detail: string;
}

/** The outcome of a scheme self-test that came back. */
export interface SchemeTestView {
  readonly profile: string;
  readonly scheme: string;
  readonly arrived: boolean;
  /** How long the self-test URL took to come back through the OS. */
  readonly waitedMs: number;
}

/**
 * The port through which the core asks the desktop app about private-use URI schemes; the Electron main
 * process implements it (`src-main/electron/scheme-registration.ts`) and hands it to `openDesk({ schemes })`.
 * Scheme names reach it only after the profile validator (reverse-domain form); it checks them again.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.1
 */
export interface SchemeHost {
  /** What the OS says about `scheme` now. */
  status(scheme: string): Promise<SchemeRegistration>;
  /**
   * Makes this app the OS handler of the app's own scheme and of `schemes` (every profile's scheme: on Linux,
   * the one handler entry lists exactly these). Idempotent. Throws `REDIRECT_SCHEME_INVALID` before touching
   * anything when a name is not a reverse-domain scheme, `SCHEME_REGISTRATION_FAILED` when the OS refuses.
   */
  register(schemes: readonly string[]): Promise<void>;
  /**
   * Asks the OS to open `<scheme>:/self-test?nonce=<random>` and resolves when that URL came back to this app
   * (through the deep-link dispatcher); throws `SCHEME_TEST_TIMEOUT` when it did not in time.
   */
  selfTest(scheme: string): Promise<{ readonly waitedMs: number }>;
}

// ---- The device authorization grant (RFC 8628) ---------------------------------------------------

/**
 * What the person needs to finish a device sign-in on another device (a phone, a computer with a browser):
 * open `verificationUri` and enter `userCode`, or open `verificationUriComplete` (it carries the code; the
 * one to put in a QR code). Provider text, checked by the core before any front sees it: the URIs are https
 * (http only on loopback for a profile that allows a local provider), the code is short printable text.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3
 */
export interface DeviceSignInPrompt {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  /** When the device code expires (ms since the epoch): then the sign-in ends with `DEVICE_CODE_EXPIRED`. */
  readonly expiresAt: number;
  /** Seconds between two polls of the token endpoint, as it starts (`sign-in-polling` events say when it grows). */
  readonly interval: number;
}

/**
 * A device sign-in waiting for the person: `startSignIn` of a `device_code` profile answers it at once. The
 * core polls the token endpoint; the outcome arrives as a `sign-in-completed` or `sign-in-failed` event,
 * progress as `sign-in-polling` events; `cancelSignIn` stops the polling.
 */
export interface DeviceSignInStart {
  /** Refers to this sign-in in events and in `cancelSignIn`. */
  readonly flowId: string;
  readonly profile: string;
  readonly device: DeviceSignInPrompt;
  /** When the sign-in gives up (ms since the epoch): the device code's expiry, or an earlier `timeoutSeconds`. */
  readonly expiresAt: number;
}

/**
 * A device sign-in polled the token endpoint and the person has not finished yet (`authorization_pending`),
 * or the provider asked to slow down (`slowDown`: the interval grew by 5 s, RFC 8628 §3.5), or the provider
 * could not be reached (the interval doubled).
 */
export interface DeviceSignInProgress {
  readonly type: 'sign-in-polling';
  readonly flowId: string;
  /** Token requests made so far. */
  readonly polls: number;
  /** Seconds until the next poll. */
  readonly interval: number;
  readonly slowDown: boolean;
}

/**
 * The contract between the core and every front (Electron IPC, CLI, test harness): the views a front
 * may see. Types only; the renderer imports nothing else from the core. No view carries a refresh
 * token; full access and ID tokens are only in {@link RevealedToken}, answered to an explicit action.
 * @module
 */
import type { ErrorCode } from './errors.ts';
import type { JwtReport } from './oauth/jwt-report.ts';

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
  /** Access token expiry (ms since the epoch), when known. */
  readonly expiresAt: number | undefined;
  /** Present while this process holds an access token. */
  readonly accessToken: MaskedToken | undefined;
  readonly idToken: (MaskedToken & { readonly claims: Readonly<Record<string, unknown>>; readonly report: JwtReport | undefined }) | undefined;
  readonly hasRefreshToken: boolean;
  readonly refreshing: boolean;
  readonly lastError: ErrorView | undefined;
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

/** The secret store contract: what one keychain entry holds, how it is serialized, and how reads report doubt. */
import { DeskError } from '../errors.ts';
import type { ClientCredentialRead, PrivateJwk, StoredClientCredential } from './client-credential.ts';
import { toDpopJwk } from './dpop-jwk.ts';

/**
 * The keychain entry of one session: the refresh token and only what is needed to use it.
 * Access tokens, ID tokens and claims never go to the keychain.
 */
export interface StoredSecret {
  /** Format version of the entry. */
  readonly v: 1;
  readonly refreshToken: string;
  /** The issuer the token was obtained from (exact discovered value). */
  readonly issuer: string;
  readonly clientId: string;
  /** When this refresh token was stored, epoch milliseconds. */
  readonly createdAt: number;
  /** The key of the session's encrypted token cache (base64url, 32 bytes); absent in entries written before it existed. */
  readonly cacheKey?: string;
  /** The session's DPoP private key (EC P-256 JWK, RFC 9449) when its tokens are DPoP-bound: bound with the refresh token. */
  readonly dpopKey?: PrivateJwk;
}

/** Whether the store can be used now. */
export type SecretStoreState = 'available' | 'locked' | 'unavailable';

/** The store's state; `message` is the OS's own text when the OS gave one. */
export interface SecretStoreStatus {
  readonly state: SecretStoreState;
  readonly message?: string;
}

/**
 * The outcome of a read. `absent` is only reported when the store was verifiably usable;
 * a miss from a locked or unusable keychain is `unknown` (never "signed out").
 */
export type SecretRead =
  | { readonly kind: 'found'; readonly secret: StoredSecret }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown'; readonly reason: DeskError };

/**
 * One entry per session, keyed by session id. All failures are `DeskError`s with a `KEYCHAIN_*` code
 * (a malformed argument is `USAGE` or `INTERNAL`). No message ever contains the secret.
 */
export interface SecretStore {
  /** True when entries outlive the process (OS keychain); false in session-only mode. */
  readonly persistent: boolean;
  /** Probes the backend: available, locked (or not unlockable without a prompt), or unavailable. */
  status(): Promise<SecretStoreStatus>;
  /**
   * Reads a session's entry. Rejects with `KEYCHAIN_ENTRY_CORRUPT` (after deleting the entry) when it is not
   * a valid entry, and with `KEYCHAIN_UNAVAILABLE` / `KEYCHAIN_TIMEOUT` / `KEYCHAIN_FAILED` when the read fails.
   */
  get(sessionId: string): Promise<SecretRead>;
  /**
   * Stores (or replaces) a session's entry. Rejects with `KEYCHAIN_ENTRY_TOO_LARGE` before any write when the
   * serialized entry exceeds {@link MAX_ENTRY_BYTES}; `KEYCHAIN_LOCKED` when the keychain is locked.
   */
  set(sessionId: string, secret: StoredSecret): Promise<void>;
  /**
   * Deletes a session's entry. Resolves true when an entry was removed, false when there was none;
   * rejects with `KEYCHAIN_LOCKED` when the keychain is locked (the entry may still exist).
   */
  delete(sessionId: string): Promise<boolean>;
  /**
   * Reads a confidential client's entry (account from `clientAccount`). An entry that is not a valid one is
   * deleted and `KEYCHAIN_ENTRY_CORRUPT` thrown; a miss from a keychain that cannot say is `unknown`.
   */
  getClient(account: string): Promise<ClientCredentialRead>;
  /** Stores (or replaces) a confidential client's entry. */
  setClient(account: string, credential: StoredClientCredential): Promise<void>;
  /** Deletes a confidential client's entry; true when one was removed. */
  deleteClient(account: string): Promise<boolean>;
}

/** Largest serialized entry in bytes (UTF-8): the Windows Credential Manager cap (CRED_MAX_CREDENTIAL_BLOB_SIZE). */
export const MAX_ENTRY_BYTES = 2560;

/** 32 bytes in base64url without padding. */
const CACHE_KEY = /^[A-Za-z0-9_-]{43}$/;

const SESSION_ID = /^[A-Za-z0-9_-][A-Za-z0-9._:-]{0,127}$/;

/** True for a session id as OIDC Desk writes it into file names and keychain accounts (see {@link assertSessionId}). */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value) && !value.startsWith('.');
}

/**
 * Checks a session id used as the keychain account: 1-128 characters of `A-Z a-z 0-9 _ - . :`, not starting
 * with `.` (the store keeps `.`-prefixed accounts for itself). Throws `USAGE` otherwise.
 */
export function assertSessionId(sessionId: unknown): asserts sessionId is string {
  if (!isSessionId(sessionId)) {
    throw new DeskError('USAGE', 'Invalid session id for the keychain: 1-128 characters of A-Z a-z 0-9 _ - . : expected.');
  }
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Narrows an unknown value to a {@link StoredSecret}, copying only the known fields; null when the shape is wrong. */
export function toStoredSecret(value: unknown): StoredSecret | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const r = value as Record<string, unknown>;
  const { v, refreshToken, issuer, clientId, createdAt, cacheKey, dpopKey } = r;
  if (v !== 1 || !nonEmptyString(refreshToken) || !nonEmptyString(issuer) || !nonEmptyString(clientId)) return null;
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) return null;
  if (cacheKey !== undefined && (typeof cacheKey !== 'string' || !CACHE_KEY.test(cacheKey))) return null;
  const dpop = dpopKey === undefined ? undefined : toDpopJwk(dpopKey);
  if (dpopKey !== undefined && dpop === undefined) return null;
  return { v, refreshToken, issuer, clientId, createdAt, ...(cacheKey === undefined ? {} : { cacheKey }), ...(dpop === undefined ? {} : { dpopKey: dpop }) };
}

/**
 * Serializes an entry to JSON. Throws `INTERNAL` for a malformed entry and `KEYCHAIN_ENTRY_TOO_LARGE` when the
 * result exceeds {@link MAX_ENTRY_BYTES}; call it before writing anything.
 */
export function serializeSecret(secret: StoredSecret): string {
  const checked = toStoredSecret(secret);
  if (checked === null) throw new DeskError('INTERNAL', 'Refusing to store a malformed keychain entry.');
  const json = JSON.stringify(checked);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_ENTRY_BYTES) {
    throw new DeskError(
      'KEYCHAIN_ENTRY_TOO_LARGE',
      `The keychain entry would be ${bytes} bytes; the limit is ${MAX_ENTRY_BYTES} (Windows Credential Manager).`,
    );
  }
  return json;
}

/** The result of parsing a stored string: a valid entry, a corrupt one, or one written by a newer version. */
export type ParsedEntry =
  | { readonly kind: 'ok'; readonly secret: StoredSecret }
  | { readonly kind: 'corrupt' }
  | { readonly kind: 'newer'; readonly version: number };

/** Parses a stored string. Never throws; the raw text is never echoed anywhere. */
export function parseSecret(raw: string): ParsedEntry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'corrupt' };
  }
  const secret = toStoredSecret(value);
  if (secret !== null) return { kind: 'ok', secret };
  if (typeof value === 'object' && value !== null) {
    const v = (value as Record<string, unknown>)['v'];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 1) return { kind: 'newer', version: v };
  }
  return { kind: 'corrupt' };
}

/** The error for an entry that was found invalid (and removed, or not when `removed` is false). */
export function corruptEntryError(removed: boolean, cause?: unknown): DeskError {
  const what = removed ? 'it was removed' : 'removing it failed too';
  return new DeskError(
    'KEYCHAIN_ENTRY_CORRUPT',
    `The keychain entry of this session was not a valid OIDC Desk entry; ${what}. Sign in again.`,
    cause === undefined ? {} : { cause },
  );
}

/** The reason reported with `unknown` for an entry written by a newer OIDC Desk; such an entry is left in place. */
export function newerEntryError(version: number): DeskError {
  return new DeskError(
    'KEYCHAIN_FAILED',
    `The keychain entry of this session was written by a newer OIDC Desk (format ${version}); it was left in place.`,
  );
}

/**
 * Views: what a front may see of a session. Tokens appear masked; refresh tokens never appear.
 * @module
 */
import type { DpopView, ErrorView, MaskedToken, SecretStorage, SessionStatus, SessionView } from '../contract.ts';
import { ERROR_CODES, type DeskError, type ErrorCode } from '../errors.ts';
import { fingerprint } from '../http/redact.ts';
import { accessTokenJkt } from '../oauth/dpop.ts';
import { decodeJwt } from '../oauth/jwt-decode.ts';
import type { JwtReport } from '../oauth/jwt-report.ts';
import type { TokenSet } from '../oauth/tokens.ts';
import type { SessionRecord } from '../store/session-index.ts';
import { cachedUnderClient, legacyFlowView } from './front-channel-sessions.ts';

/**
 * A token without its value. `format` is for a token whose format is known already (a validated ID token
 * is a JWT): it saves decoding it again for every view.
 */
export function maskToken(token: string, format?: MaskedToken['format']): MaskedToken {
  return { fingerprint: fingerprint(token), length: token.length, format: format ?? (decodeJwt(token) === undefined ? 'opaque' : 'jwt') };
}

/** Claims that are secrets of the sign-in itself (SECURITY.md: no nonce reaches a front). */
const SECRET_CLAIMS = ['nonce', 'sid'] as const;

/** Claims with the sign-in's own secrets replaced by fingerprints. */
export function maskClaims(claims: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...claims };
  for (const name of SECRET_CLAIMS) {
    const value = out[name];
    if (typeof value === 'string') out[name] = fingerprint(value);
  }
  return out;
}

/** A JWT report with the same claims masked. */
export function maskReport(report: JwtReport | undefined): JwtReport | undefined {
  return report?.kind === 'jwt' ? { ...report, claims: maskClaims(report.claims) } : report;
}

/**
 * Status from the record, where its refresh token is, and the clock (expiry comes from the index, so every
 * process agrees). A session whose refresh token is not in the keychain (kept in one process's memory,
 * or never issued) lives only as long as the process holding its tokens: `session-only`.
 */
export function sessionStatus(record: SessionRecord, storage: SecretStorage, now: number): SessionStatus {
  if (record.status === 'sign-in-needed') return 'sign-in-needed';
  if (record.refreshFailure !== undefined) return 'refresh-failing';
  // A client credentials session has no refresh token by design: its client's secret is in the keychain.
  // An implicit session has none either: its tokens are cached under its client's keychain entry until they run out.
  if (storage !== 'keychain' && !cachedUnderClient(record)) return 'session-only';
  const expiresAt = recordExpiry(record);
  if (expiresAt !== undefined && expiresAt <= now) return 'expired';
  return 'active';
}

/** When the session's tokens run out, from the index: its access token's expiry, or its ID token's when it holds no access token. */
function recordExpiry(record: SessionRecord): number | undefined {
  return record.accessTokenExpiresAt ?? record.idTokenExpiresAt;
}

/** The persisted refresh failure as an error view, so every process shows why refreshing stopped. */
function failureView(record: SessionRecord): ErrorView | undefined {
  const f = record.refreshFailure;
  if (f === undefined) return undefined;
  const code = (f.code in ERROR_CODES ? f.code : 'REFRESH_FAILING') as ErrorCode;
  return { code, message: f.message, ...(f.status === undefined ? {} : { status: f.status }) };
}

/** Builds the view of one session. */
export function sessionView(input: {
  readonly record: SessionRecord;
  readonly tokens: (Omit<TokenSet, 'refreshToken'> & { readonly idTokenReceivedAt?: number | undefined }) | undefined;
  readonly storage: SecretStorage;
  readonly refreshing: boolean;
  readonly lastError: DeskError | undefined;
  readonly now: number;
}): SessionView {
  const { record, tokens } = input;
  const legacy = legacyFlowView(record);
  return {
    id: record.id,
    profile: record.profile,
    issuer: record.issuer,
    clientId: record.clientId,
    subject: record.subject,
    displayName: record.displayName,
    scopes: tokens?.scope ?? record.scopes,
    status: sessionStatus(record, input.storage, input.now),
    storage: input.storage,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    expiresAt: tokens?.expiresAt ?? recordExpiry(record),
    accessToken: tokens?.accessToken === undefined ? undefined : maskToken(tokens.accessToken),
    idToken: tokens?.idToken !== undefined && tokens.idTokenClaims !== undefined
      ? { ...maskToken(tokens.idToken, 'jwt'), claims: maskClaims(tokens.idTokenClaims), report: maskReport(tokens.idTokenReport), receivedAt: tokens.idTokenReceivedAt ?? tokens.receivedAt }
      : undefined,
    hasRefreshToken: input.storage !== 'none',
    refreshing: input.refreshing,
    lastError: input.lastError?.toJSON() ?? failureView(record),
    flow: record.flow ?? 'authorization_code',
    ...(record.dpopJkt === undefined ? {} : { dpop: dpopView(record.dpopJkt, tokens?.accessToken) }),
    ...(legacy === undefined ? {} : { legacy }),
  };
}

/** A DPoP-bound session's key thumbprint, and how the held access token shows its binding (it was checked on receipt). */
function dpopView(jkt: string, accessToken: string | undefined): DpopView {
  if (accessToken === undefined) return { jkt };
  return { jkt, accessTokenBinding: accessTokenJkt(accessToken) === jkt ? 'cnf' : 'token-type' };
}

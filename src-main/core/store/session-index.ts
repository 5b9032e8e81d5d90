/**
 * The session index (`sessions.json`): what is known about each session without any secret, plus
 * revocations still owed to providers. Read at start-up; keychain entries are read only on use.
 * @module
 */
import { join } from 'node:path';
import { responseTypesOf, type FrontChannelResponseType } from '../front-channel-flows.ts';
import { CLIENT_AUTH_METHODS, FLOWS, type ClientAuthMethod, type Flow } from '../profile.ts';
import { isSessionId } from './secret-store.ts';
import { VersionedStore, type DocumentType } from './versioned-store.ts';

/** The ID token claims a refreshed ID token must keep (OIDC Core §12.2): every claim that check compares. */
export interface IdTokenBinding {
  readonly iss: string;
  readonly sub: string;
  readonly aud: readonly string[];
  /** The sign-in's `azp`; null when it had none; absent in records written before it was kept (then not compared). */
  readonly azp?: string | null;
  readonly authTime?: number;
}

/** Why the last refresh failed in a way that retrying will not fix (not the network, not `invalid_grant`). */
export interface RefreshFailure {
  readonly code: string;
  /** The message shown to the user: no token, a masked excerpt of the provider's answer at most. */
  readonly message: string;
  readonly status?: number;
  readonly at: number;
}

/** The flow a record names: every flow of a profile but the code flow, which a record leaves unsaid. */
export type StoredFlow = Exclude<Flow, 'authorization_code'>;

function isStoredFlow(value: unknown): value is StoredFlow {
  return value !== 'authorization_code' && (FLOWS as readonly unknown[]).includes(value);
}

/** One session, as stored. No token, code or secret is ever in here. */
export interface SessionRecord {
  readonly id: string;
  readonly profile: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly allowHttpLoopback: boolean;
  readonly subject: string;
  readonly displayName?: string;
  readonly scopes: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Expiry of the last access token issued (ms since the epoch). */
  readonly accessTokenExpiresAt?: number;
  /** For a session with no access token (an implicit `id_token` sign-in): its ID token's `exp` (ms since the epoch). */
  readonly idTokenExpiresAt?: number;
  readonly status: 'active' | 'sign-in-needed';
  /** True while a refresh token is believed to be in the keychain. */
  readonly hasRefreshToken: boolean;
  readonly binding?: IdTokenBinding;
  /** Set while refreshing fails on an answer retrying will not change; a successful refresh or a new sign-in clears it. */
  readonly refreshFailure?: RefreshFailure;
  /** The grant the session came from, when not the authorization code flow. */
  readonly flow?: StoredFlow;
  /** The client authentication its token requests use, when not `none`. */
  readonly clientAuth?: Exclude<ClientAuthMethod, 'none'>;
  /** The thumbprint of the session's DPoP key (public; the key is in the keychain) when its tokens are DPoP-bound. */
  readonly dpopJkt?: string;
  /** The `response_type` of an implicit or hybrid session's sign-in. */
  readonly responseType?: FrontChannelResponseType;
}

/** A revocation that failed on the network and is retried later; the token waits in the keychain. */
export interface OwedRevocation {
  /** Keychain account holding the token. */
  readonly account: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly allowHttpLoopback: boolean;
  readonly since: number;
  /** How the client authenticates (a confidential client): the retry authenticates the same way, with the client's keychain entry. */
  readonly clientAuth?: Exclude<ClientAuthMethod, 'none'>;
}

/** The whole index document. */
export interface SessionIndexDoc {
  readonly sessions: readonly SessionRecord[];
  readonly revocations: readonly OwedRevocation[];
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 4096;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function parseRecord(v: unknown): SessionRecord | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  // The id names the session's keychain entry, cache file and lock file: no path separator, no control character.
  if (!isSessionId(r.id) || !str(r.profile) || !str(r.issuer) || !str(r.clientId) || !str(r.subject)) return undefined;
  if (!Array.isArray(r.scopes) || !r.scopes.every(str) || !num(r.createdAt) || !num(r.updatedAt)) return undefined;
  if (r.status !== 'active' && r.status !== 'sign-in-needed') return undefined;
  let binding: IdTokenBinding | undefined;
  if (r.binding !== undefined) {
    const b = r.binding as Record<string, unknown>;
    if (typeof b !== 'object' || b === null || !str(b.iss) || !str(b.sub) || !Array.isArray(b.aud) || !b.aud.every(str)) return undefined;
    if (b.azp !== undefined && b.azp !== null && !str(b.azp)) return undefined;
    binding = { iss: b.iss, sub: b.sub, aud: b.aud, ...(b.azp === undefined ? {} : { azp: b.azp }), ...(num(b.authTime) ? { authTime: b.authTime } : {}) };
  }
  let refreshFailure: RefreshFailure | undefined;
  if (r.refreshFailure !== undefined) {
    const f = r.refreshFailure as Record<string, unknown>;
    if (typeof f !== 'object' || f === null || !str(f.code) || typeof f.message !== 'string' || f.message.length > 4096 || !num(f.at)) return undefined;
    refreshFailure = { code: f.code, message: f.message, at: f.at, ...(num(f.status) ? { status: f.status } : {}) };
  }
  if (r.flow !== undefined && !isStoredFlow(r.flow)) return undefined;
  const responseType = responseTypesOf(r.flow).find((t) => t === r.responseType);
  if (responseType === undefined && (r.responseType !== undefined || r.flow === 'implicit' || r.flow === 'hybrid')) return undefined;
  if (!isStoredClientAuth(r.clientAuth)) return undefined;
  if (r.dpopJkt !== undefined && (typeof r.dpopJkt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(r.dpopJkt))) return undefined;
  return {
    id: r.id,
    profile: r.profile,
    issuer: r.issuer,
    clientId: r.clientId,
    allowHttpLoopback: r.allowHttpLoopback === true,
    subject: r.subject,
    ...(str(r.displayName) ? { displayName: r.displayName } : {}),
    scopes: r.scopes,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(num(r.accessTokenExpiresAt) ? { accessTokenExpiresAt: r.accessTokenExpiresAt } : {}),
    ...(num(r.idTokenExpiresAt) ? { idTokenExpiresAt: r.idTokenExpiresAt } : {}),
    status: r.status,
    hasRefreshToken: r.hasRefreshToken === true,
    ...(binding ? { binding } : {}),
    ...(refreshFailure ? { refreshFailure } : {}),
    ...(r.flow === undefined ? {} : { flow: r.flow }),
    ...(r.clientAuth === undefined ? {} : { clientAuth: r.clientAuth }),
    ...(r.dpopJkt === undefined ? {} : { dpopJkt: r.dpopJkt }),
    ...(responseType === undefined ? {} : { responseType }),
  };
}

/** Absent (a public client), or a confidential client's method. */
function isStoredClientAuth(v: unknown): v is Exclude<ClientAuthMethod, 'none'> | undefined {
  return v === undefined || (v !== 'none' && (CLIENT_AUTH_METHODS as readonly unknown[]).includes(v));
}

function parseRevocation(v: unknown): OwedRevocation | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (!str(r.account) || !str(r.issuer) || !str(r.clientId) || !num(r.since) || !isStoredClientAuth(r.clientAuth)) return undefined;
  return { account: r.account, issuer: r.issuer, clientId: r.clientId, allowHttpLoopback: r.allowHttpLoopback === true, since: r.since, ...(r.clientAuth === undefined ? {} : { clientAuth: r.clientAuth }) };
}

const INDEX_DOC: DocumentType<SessionIndexDoc> = {
  schemaVersion: 1,
  empty: () => ({ sessions: [], revocations: [] }),
  parse(value) {
    const doc = value as { sessions?: unknown; revocations?: unknown };
    if (!Array.isArray(doc.sessions)) return undefined;
    const sessions = doc.sessions.map(parseRecord);
    const revocations = Array.isArray(doc.revocations) ? doc.revocations.map(parseRevocation) : [];
    if (sessions.some((s) => s === undefined) || revocations.some((r) => r === undefined)) return undefined;
    return { sessions: sessions as SessionRecord[], revocations: revocations as OwedRevocation[] };
  },
};

/** Creates the index store at `<dataDir>/sessions.json`. */
export function sessionIndexStore(dataDir: string, now: () => number): VersionedStore<SessionIndexDoc> {
  return new VersionedStore(join(dataDir, 'sessions.json'), INDEX_DOC, now);
}

/** The keychain entry of one confidential client: its secret or private key, bound to its issuer and client id. */
import { createHash } from 'node:crypto';
import { DeskError } from '../errors.ts';
import { MAX_ENTRY_BYTES } from './secret-store.ts';

/** A private JWK as generated for `private_key_jwt` (EC P-256 or RSA), with its `kid` and `alg`. */
export type PrivateJwk = Readonly<Record<string, string>>;

/**
 * What the keychain keeps for one client (issuer + client id): the client secret and/or the private key,
 * and the key of the token cache of its client credentials sessions. Never in a file, never in a view.
 */
export interface StoredClientCredential {
  readonly v: 1;
  readonly kind: 'client';
  readonly issuer: string;
  readonly clientId: string;
  readonly createdAt: number;
  readonly secret?: string;
  readonly privateJwk?: PrivateJwk;
  /** The token cache key of this client's client credentials sessions (base64url, 32 bytes). */
  readonly cacheKey: string;
}

/** The outcome of reading a client's entry; `unknown` when the keychain could not say. */
export type ClientCredentialRead =
  | { readonly kind: 'found'; readonly credential: StoredClientCredential }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown'; readonly reason: DeskError };

/**
 * The keychain account of a client's entry: `.client-` and a hash of the issuer and client id. It starts
 * with `.`, which no session id may, so a session id from a tampered index never reads or deletes it.
 */
export function clientAccount(issuer: string, clientId: string): string {
  return `.client-${createHash('sha256').update(`${issuer}\u0000${clientId}`).digest('base64url')}`;
}

/** True for an account made by {@link clientAccount}. */
export function isClientAccount(value: unknown): value is string {
  return typeof value === 'string' && /^\.client-[A-Za-z0-9_-]{43}$/.test(value);
}

const CACHE_KEY = /^[A-Za-z0-9_-]{43}$/;
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 2048;

function parseJwk(value: unknown): PrivateJwk | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return null;
    out[k] = v;
  }
  return (out['kty'] === 'EC' || out['kty'] === 'RSA') && typeof out['d'] === 'string' ? out : null;
}

/** Narrows an unknown value to a client entry (known fields only); null when the shape is wrong. */
export function toClientCredential(value: unknown): StoredClientCredential | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const r = value as Record<string, unknown>;
  if (r['v'] !== 1 || r['kind'] !== 'client' || !text(r['issuer']) || !text(r['clientId'])) return null;
  const createdAt = r['createdAt'];
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) return null;
  if (typeof r['cacheKey'] !== 'string' || !CACHE_KEY.test(r['cacheKey'])) return null;
  const secret = r['secret'];
  if (secret !== undefined && !text(secret)) return null;
  const privateJwk = parseJwk(r['privateJwk']);
  if (privateJwk === null) return null;
  return {
    v: 1, kind: 'client', issuer: r['issuer'], clientId: r['clientId'], createdAt, cacheKey: r['cacheKey'],
    ...(secret === undefined ? {} : { secret }),
    ...(privateJwk === undefined ? {} : { privateJwk }),
  };
}

/** Serializes a client entry; `INTERNAL` when malformed, `KEYCHAIN_ENTRY_TOO_LARGE` over the cap (before any write). */
export function serializeClientCredential(credential: StoredClientCredential): string {
  const checked = toClientCredential(credential);
  if (checked === null) throw new DeskError('INTERNAL', 'Refusing to store a malformed keychain entry.');
  const json = JSON.stringify(checked);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_ENTRY_BYTES) throw new DeskError('KEYCHAIN_ENTRY_TOO_LARGE', `The keychain entry would be ${bytes} bytes; the limit is ${MAX_ENTRY_BYTES} (Windows Credential Manager).`);
  return json;
}

/** Parses a stored client entry; null when it is not one (never throws, never echoes). */
export function parseClientCredential(raw: string): StoredClientCredential | null {
  try {
    return toClientCredential(JSON.parse(raw));
  } catch {
    return null;
  }
}

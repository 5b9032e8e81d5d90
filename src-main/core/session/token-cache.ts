/**
 * The token cache shared by every process: a session's access and ID tokens in one AES-256-GCM encrypted
 * file of the data directory (`tokens/<session>.json`), whose key is kept in the session's keychain entry.
 * Nothing readable is on disk; a signed-out session's key is gone with its keychain entry.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { IdTokenClaims } from '../oauth/id-token.ts';
import type { JwtReport } from '../oauth/jwt-report.ts';
import type { TokenSet } from '../oauth/tokens.ts';
import { DeskError } from '../errors.ts';
import { currentFileIdentity, ensurePrivateDir, readIdentifiedDataFile, removeDataFile, writeDataFileAtomic } from '../store/data-dir.ts';

/** Where a token set was issued: a cached or live token is used only for the session's own issuer and client. */
export interface TokenBinding {
  readonly issuer: string;
  readonly clientId: string;
}

/**
 * The tokens a process keeps of a session (never a refresh token), with the issuer and client they
 * belong to, and when the ID token was received (it may be older than the access token: a refresh
 * without an ID token keeps the sign-in's).
 */
export type HeldTokens = Omit<TokenSet, 'refreshToken'> & { readonly boundTo: TokenBinding; readonly idTokenReceivedAt?: number | undefined };

/** Largest cache file read (a few tokens of at most tens of KiB each). */
export const MAX_CACHE_FILE_BYTES = 256 * 1024;

const FORMAT = 1;
const KEY_BYTES = 32;

/** A new random cache key, as kept in the keychain entry (base64url of 32 bytes). */
export function newCacheKey(): string {
  return randomBytes(KEY_BYTES).toString('base64url');
}

function keyBytes(key: string): Buffer | undefined {
  const bytes = Buffer.from(key, 'base64url');
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

/** Binds the ciphertext to its session, issuer and client: a file copied onto another session does not open. */
function additionalData(sessionId: string, binding: TokenBinding): Buffer {
  return Buffer.from(['oidc-desk token cache', FORMAT, sessionId, binding.issuer, binding.clientId].join('\u0000'), 'utf8');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optNumber = (v: unknown): v is number | undefined => v === undefined || (typeof v === 'number' && Number.isFinite(v));

/** Narrows decrypted content to held tokens; undefined when the shape is wrong. */
function parseHeld(value: unknown, binding: TokenBinding): HeldTokens | undefined {
  if (!isRecord(value) || value['v'] !== FORMAT) return undefined;
  const t = value;
  // No access token only beside an ID token: an implicit sign-in with response_type=id_token.
  const noAccessToken = t['accessToken'] === undefined && typeof t['idToken'] === 'string';
  if (!noAccessToken && (typeof t['accessToken'] !== 'string' || t['accessToken'] === '')) return undefined;
  if (typeof t['tokenType'] !== 'string') return undefined;
  if (!optNumber(t['expiresAt']) || !optNumber(t['clockOffsetMs']) || !optNumber(t['idTokenReceivedAt']) || typeof t['receivedAt'] !== 'number') return undefined;
  const scope = t['scope'];
  if (scope !== undefined && !(Array.isArray(scope) && scope.every((s) => typeof s === 'string'))) return undefined;
  const idToken = t['idToken'];
  const claims = t['idTokenClaims'];
  const report = t['idTokenReport'];
  if (idToken !== undefined && (typeof idToken !== 'string' || !isRecord(claims) || typeof claims['iss'] !== 'string' || typeof claims['sub'] !== 'string')) return undefined;
  if (report !== undefined && !(isRecord(report) && (report['kind'] === 'jwt' || report['kind'] === 'opaque'))) return undefined;
  return {
    accessToken: noAccessToken ? undefined : t['accessToken'] as string,
    tokenType: t['tokenType'],
    expiresAt: t['expiresAt'],
    scope: scope as string[] | undefined,
    idToken: idToken as string | undefined,
    idTokenClaims: idToken === undefined ? undefined : claims as IdTokenClaims,
    idTokenReport: idToken === undefined ? undefined : report as JwtReport | undefined,
    receivedAt: t['receivedAt'],
    clockOffsetMs: t['clockOffsetMs'],
    idTokenReceivedAt: t['idTokenReceivedAt'],
    boundTo: binding,
  };
}

/** A cache file this process wrote or read and decrypted: its identity, and what it holds for that key and binding. */
interface KnownFile {
  readonly identity: string;
  readonly key: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly held: HeldTokens;
}

/** The encrypted per-session token files of one data directory. */
export class TokenCache {
  readonly #dataDir: string;
  readonly #dir: string;
  readonly #known = new Map<string, KnownFile>();

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.#dir = join(dataDir, 'tokens');
  }

  /** The data directory itself, checked too: a link in its place would be followed on the way to `tokens/`. */
  async #checkedPath(sessionId: string): Promise<string> {
    await ensurePrivateDir(this.#dataDir);
    return this.#path(sessionId);
  }

  #path(sessionId: string): string {
    return join(this.#dir, `${sessionId}.json`);
  }

  /**
   * The cached tokens of a session, or undefined when there are none or they cannot be trusted (wrong key,
   * another session's or provider's file, tampered). An unusable file is left for the next write to
   * replace: this read may run outside the session's lock, while another process writes a new one.
   * The file this process wrote or decrypted last for the session, still there unchanged (same identity),
   * is not read again for the same key and binding: it holds the tokens it held then.
   * @throws DeskError DATA_DIR_INSECURE (a link, another owner, readable by others), DATA_FILE_TOO_LARGE
   */
  async read(sessionId: string, key: string, binding: TokenBinding): Promise<HeldTokens | undefined> {
    const path = await this.#checkedPath(sessionId);
    const known = this.#known.get(sessionId);
    if (known !== undefined && known.key === key && known.issuer === binding.issuer && known.clientId === binding.clientId
      && currentFileIdentity(path) === known.identity) return known.held;
    const content = await readIdentifiedDataFile(path, { maxBytes: MAX_CACHE_FILE_BYTES, secret: true });
    if (content === undefined) return undefined;
    const held = this.#decrypt(content.bytes.toString('utf8'), sessionId, key, binding);
    if (held !== undefined) this.#known.set(sessionId, { identity: content.identity, key, issuer: binding.issuer, clientId: binding.clientId, held });
    return held;
  }

  #decrypt(text: string, sessionId: string, key: string, binding: TokenBinding): HeldTokens | undefined {
    const secret = keyBytes(key);
    if (secret === undefined) return undefined;
    try {
      const envelope: unknown = JSON.parse(text);
      if (!isRecord(envelope) || envelope['v'] !== FORMAT) return undefined;
      const { iv, tag, data } = envelope;
      if (typeof iv !== 'string' || typeof tag !== 'string' || typeof data !== 'string') return undefined;
      const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(additionalData(sessionId, binding));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
      return parseHeld(JSON.parse(plain.toString('utf8')), binding);
    } catch {
      return undefined; // not ours, tampered, or another key: never used
    }
  }

  /** Writes a session's tokens, encrypted with `key` and bound to the session, issuer and client. */
  async write(sessionId: string, key: string, held: HeldTokens): Promise<void> {
    const secret = keyBytes(key);
    if (secret === undefined) throw new DeskError('INTERNAL', 'The token cache key of this session is malformed.');
    const plain = {
      v: FORMAT,
      accessToken: held.accessToken,
      tokenType: held.tokenType,
      expiresAt: held.expiresAt,
      scope: held.scope,
      idToken: held.idToken,
      idTokenClaims: held.idTokenClaims,
      idTokenReport: held.idTokenReport,
      receivedAt: held.receivedAt,
      clockOffsetMs: held.clockOffsetMs,
      idTokenReceivedAt: held.idTokenReceivedAt,
    };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', secret, iv, { authTagLength: 16 });
    cipher.setAAD(additionalData(sessionId, held.boundTo));
    const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    // Not synced to disk: a cache lost in a crash is a miss (read() takes an unreadable file for none),
    // and the next token call makes it again; the refresh token is in the keychain, the record in the index.
    this.#known.delete(sessionId);
    const identity = await writeDataFileAtomic(await this.#checkedPath(sessionId), JSON.stringify({ v: FORMAT, iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), data: data.toString('base64url') }), { durable: false });
    this.#known.set(sessionId, { identity, key, issuer: held.boundTo.issuer, clientId: held.boundTo.clientId, held });
  }

  /** Removes a session's cached tokens (sign-out, a lost grant). */
  async remove(sessionId: string): Promise<void> {
    this.#known.delete(sessionId);
    await removeDataFile(await this.#checkedPath(sessionId));
  }
}

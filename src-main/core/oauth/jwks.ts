/**
 * A provider's JSON Web Key Set, fetched through the core's HTTP client, kept in memory, refetched once
 * on an unknown key (rotation), and used to find the public key(s) for a JWS header.
 * @module
 */
import type { CryptoKey, JSONWebKeySet, LocalJWKSet } from 'jose';
import { DeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';

/** Options of {@link JwksCache}. */
export interface JwksCacheOptions {
  /** The provider's `jwks_uri` from validated metadata. */
  readonly jwksUri: string;
  /** The core's fetch (timeouts, size cap, no redirects); jose's own remote fetcher is never used. */
  readonly fetch: FetchLike;
}

/** The JWS header parameters that select a key. */
export interface JwsKeySelector {
  readonly alg: string;
  readonly kid?: string | undefined;
}

/** The keys that may have signed a token, from {@link JwksCache.resolve}. */
export interface JwksKeyMatch {
  /** One key normally; several when the header has no `kid` and several keys fit the `alg`. */
  readonly keys: readonly CryptoKey[];
  /** True when the set was refetched during this call because no key matched the cached one. */
  readonly refetched: boolean;
}

interface Snapshot {
  readonly resolver: LocalJWKSet;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows a parsed response body to a JWKS (`{ keys: [ {...}, ... ] }`), or says what is wrong. */
function assertJwks(value: unknown, origin: string): asserts value is JSONWebKeySet {
  if (!isPlainObject(value)) {
    throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${origin}) is not a JSON object; check jwks_uri in its metadata.`);
  }
  const keys = value['keys'];
  if (!Array.isArray(keys)) {
    throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${origin}) has no "keys" array; check jwks_uri in its metadata.`);
  }
  const bad = keys.findIndex((key: unknown) => !isPlainObject(key));
  if (bad !== -1) {
    throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${origin}) is malformed: keys[${bad}] is not a JSON object.`);
  }
}

function describeKid(kid: string | undefined): string {
  return kid === undefined ? 'no kid' : `kid=${JSON.stringify(kid.slice(0, 100))}`;
}

/**
 * The JWKS of one provider. `resolve` fetches on first use; when no cached key matches a header it
 * refetches once right away (the provider may have rotated its keys) and tries again. Concurrent
 * fetches share one request.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export class JwksCache {
  readonly jwksUri: string;
  readonly #fetch: FetchLike;
  readonly #origin: string;
  #snapshot: Snapshot | undefined;
  #inflight: Promise<Snapshot> | undefined;
  #fetchCount = 0;

  constructor(options: JwksCacheOptions) {
    this.jwksUri = new URL(options.jwksUri).href;
    this.#origin = new URL(options.jwksUri).origin;
    this.#fetch = options.fetch;
  }

  /** How many times the JWKS was requested (for tests and the exchange view). */
  get fetchCount(): number {
    return this.#fetchCount;
  }

  /** Whether a JWKS is held in memory. */
  get loaded(): boolean {
    return this.#snapshot !== undefined;
  }

  /**
   * Fetches the JWKS now and replaces the cached one (on failure the old one is kept). Calls made while a
   * fetch is under way share it.
   */
  async refresh(): Promise<void> {
    await this.#refresh();
  }

  #refresh(): Promise<Snapshot> {
    if (this.#inflight === undefined) {
      const pending = this.#load().finally(() => {
        if (this.#inflight === pending) this.#inflight = undefined;
      });
      this.#inflight = pending;
    }
    return this.#inflight;
  }

  /**
   * The public key(s) that may verify a JWS with this header. Throws DeskError
   * `ID_TOKEN_KEY_NOT_FOUND` when none matches even after one refetch, `ID_TOKEN_ALG_NOT_ALLOWED` for a
   * symmetric or unknown `alg`, and the HTTP or `DISCOVERY_FAILED` error when the JWKS cannot be had.
   */
  async resolve(header: JwsKeySelector): Promise<JwksKeyMatch> {
    let snapshot = this.#snapshot;
    let fresh = false;
    if (snapshot === undefined) {
      snapshot = await this.#refresh();
      fresh = true;
    }
    let keys = await this.#match(snapshot, header);
    let refetched = false;
    // Rotation: the token may be signed by a key newer than our copy. A set fetched during this very
    // call is already current, so it is not fetched twice.
    if (keys.length === 0 && !fresh) {
      snapshot = await this.#refresh();
      refetched = true;
      keys = await this.#match(snapshot, header);
    }
    if (keys.length === 0) {
      throw new DeskError('ID_TOKEN_KEY_NOT_FOUND', `The provider's JWKS has no key for ${describeKid(header.kid)} and alg ${header.alg}${refetched || fresh ? ', even freshly fetched' : ''}. The token was signed by a key this provider does not publish.`);
    }
    return { keys, refetched };
  }

  async #match(snapshot: Snapshot, header: JwsKeySelector): Promise<CryptoKey[]> {
    try {
      return [await snapshot.resolver({ alg: header.alg, ...(header.kid === undefined ? {} : { kid: header.kid }) })];
    } catch (error) {
      // jose is loaded on first use (not at start-up): see jwt-report.ts.
      const { errors } = await import('jose');
      if (error instanceof errors.JWKSNoMatchingKey) return [];
      if (error instanceof errors.JWKSMultipleMatchingKeys) {
        const keys: CryptoKey[] = [];
        for await (const key of error) keys.push(key);
        return keys;
      }
      if (error instanceof errors.JOSENotSupported) {
        throw new DeskError('ID_TOKEN_ALG_NOT_ALLOWED', `alg ${header.alg} cannot be verified with a public key from a JWKS.`, { cause: error });
      }
      throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS key for ${describeKid(header.kid)} cannot be used: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
    }
  }

  async #load(): Promise<Snapshot> {
    this.#fetchCount += 1;
    const response = await this.#fetch(this.jwksUri, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
    if (response.status !== 200) {
      throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${this.#origin}) answered HTTP ${response.status}; expected 200.`, { status: response.status });
    }
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (cause) {
      throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${this.#origin}) is not JSON.`, { cause });
    }
    assertJwks(body, this.#origin);
    const { createLocalJWKSet } = await import('jose');
    let resolver: LocalJWKSet;
    try {
      resolver = createLocalJWKSet(body);
    } catch (cause) {
      throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${this.#origin}) is malformed.`, { cause });
    }
    const snapshot: Snapshot = { resolver };
    this.#snapshot = snapshot;
    return snapshot;
  }
}

/**
 * A provider's JSON Web Key Set: jose's remote JWKS set over the core's HTTP client, kept for a bounded
 * time, refetched once on an unknown key (rotation), and used to find the public key(s) for a JWS header.
 * Shared by every session of the provider: each lookup brings the fetch of the operation it serves.
 * @module
 */
import type * as JoseModule from 'jose';
import type { CryptoKey, RemoteJWKSet } from 'jose';
import { DeskError } from '../errors.ts';

type Jose = typeof JoseModule;
import type { FetchLike } from '../http/client.ts';
import { isRecord } from '../util.ts';
import { loadJose } from './jose-module.ts';

/** How long a fetched JWKS is used before it is fetched again (jose's `cacheMaxAge`). */
export const JWKS_MAX_AGE_MS = 10 * 60 * 1000;
/**
 * jose's own "refetch on a missing key" never comes (its cooldown never ends): the one refetch of
 * {@link JwksCache.resolve} is asked for explicitly, so that it goes through the fetch of the lookup that
 * needs it (jose would start it after an await, when the lookup's fetch is no longer handed over).
 */
const NEVER = Number.POSITIVE_INFINITY;

/** Options of {@link JwksCache}. */
export interface JwksCacheOptions {
  /** The provider's `jwks_uri` from validated metadata. */
  readonly jwksUri: string;
  /**
   * The core's fetch (timeouts, size cap, no redirects, exchange log); jose's own fetch is never used.
   * A lookup may bring its own (the same core fetch, tagged with its session or sign-in).
   */
  readonly fetch: FetchLike;
  /** Lifetime of a fetched set (default {@link JWKS_MAX_AGE_MS}). */
  readonly maxAgeMs?: number;
}

/** The JWS header parameters that select a key. */
export interface JwsKeySelector {
  readonly alg: string;
  readonly kid?: string | undefined;
}

/** A provider's key set as one operation uses it: {@link JwksCache.for}, or the cache itself. */
export interface JwksKeys {
  readonly jwksUri: string;
  resolve(header: JwsKeySelector): Promise<JwksKeyMatch>;
  refresh(): Promise<void>;
}

/** The keys that may have signed a token, from {@link JwksCache.resolve}. */
export interface JwksKeyMatch {
  /** One key normally; several when the header has no `kid` and several keys fit the `alg`. */
  readonly keys: readonly CryptoKey[];
  /** True when the set was refetched during this call because no key matched the cached one. */
  readonly refetched: boolean;
}

/** Narrows a parsed response body to a JWKS (`{ keys: [ {...}, ... ] }`), or says what is wrong. */
function assertJwks(value: unknown, origin: string): void {
  if (!isRecord(value)) {
    throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${origin}) is not a JSON object; check jwks_uri in its metadata.`);
  }
  const keys = value['keys'];
  if (!Array.isArray(keys)) {
    throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${origin}) has no "keys" array; check jwks_uri in its metadata.`);
  }
  const bad = keys.findIndex((key: unknown) => !isRecord(key));
  if (bad !== -1) {
    throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${origin}) is malformed: keys[${bad}] is not a JSON object.`);
  }
}

function describeKid(kid: string | undefined): string {
  return kid === undefined ? 'no kid' : `kid=${JSON.stringify(kid.slice(0, 100))}`;
}

/**
 * The JWKS of one provider. `resolve` fetches on first use and when the set is older than its lifetime;
 * when no key of a set it already held matches a header, it refetches once right away (the provider may
 * have rotated its keys) and tries again. Concurrent fetches share one request.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export class JwksCache {
  readonly jwksUri: string;
  readonly #origin: string;
  readonly #options: JwksCacheOptions;
  #set: RemoteJWKSet | undefined;
  #fetchCount = 0;
  /** The fetch of the lookup calling into jose right now: jose calls ours synchronously from there. */
  #handedOver: FetchLike | undefined;

  constructor(options: JwksCacheOptions) {
    const url = new URL(options.jwksUri);
    this.jwksUri = url.href;
    this.#origin = url.origin;
    this.#options = options;
  }

  /** jose and the remote set, made on first use: jose is not loaded at start-up (CLI start time). */
  async #ready(): Promise<{ readonly set: RemoteJWKSet; readonly jose: Jose }> {
    // One import shared by every caller: calls made together resume together (a refresh joins the fetch
    // another call started), however long the module loader takes to answer each import.
    const jose = await loadJose();
    this.#set ??= jose.createRemoteJWKSet(new URL(this.jwksUri), {
      cacheMaxAge: this.#options.maxAgeMs ?? JWKS_MAX_AGE_MS,
      cooldownDuration: NEVER,
      // The core fetch's own timeout applies; jose's (a shorter default) would only race it.
      [jose.customFetch]: async (input, init) => {
        this.#fetchCount += 1;
        const fetch = this.#handedOver ?? this.#options.fetch;
        const response = await fetch(input, { method: 'GET', headers: init.headers });
        if (response.status !== 200) {
          await response.body?.cancel().catch(() => undefined);
          throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${this.#origin}) answered HTTP ${response.status}; expected 200.`, { status: response.status });
        }
        let body: unknown;
        try {
          body = JSON.parse(await response.text());
        } catch (cause) {
          throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${this.#origin}) is not JSON.`, { cause });
        }
        assertJwks(body, this.#origin);
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    return { set: this.#set, jose };
  }

  /** How many times the JWKS was requested (for tests and the exchange view). */
  get fetchCount(): number {
    return this.#fetchCount;
  }

  /** Whether a JWKS is held in memory. */
  get loaded(): boolean {
    return this.#set?.jwks() !== undefined;
  }

  /** This set as one operation uses it: every fetch its lookups start goes through `fetch`. */
  for(fetch: FetchLike): JwksKeys {
    return {
      jwksUri: this.jwksUri,
      resolve: (header) => this.resolve(header, fetch),
      refresh: () => this.refresh(fetch),
    };
  }

  /**
   * Calls into jose with `fetch` handed over: jose starts a fetch synchronously within the call, or joins
   * one under way (then that one's fetch is logged, as the request is shared).
   */
  #through<T>(fetch: FetchLike | undefined, call: () => Promise<T>): Promise<T> {
    this.#handedOver = fetch;
    try {
      return call();
    } finally {
      this.#handedOver = undefined;
    }
  }

  /**
   * Fetches the JWKS now and replaces the cached one (on failure the old one is kept). Calls made while a
   * fetch is under way share it. `fetch` is the operation's (default: the cache's).
   */
  async refresh(fetch?: FetchLike): Promise<void> {
    const { set, jose } = await this.#ready();
    try {
      await this.#through(fetch, () => set.reload());
    } catch (error) {
      throw this.#fetchError(error, jose);
    }
  }

  /**
   * The public key(s) that may verify a JWS with this header. Throws DeskError
   * `ID_TOKEN_KEY_NOT_FOUND` when none matches even after one refetch, `ID_TOKEN_ALG_NOT_ALLOWED` for a
   * symmetric or unknown `alg`, and the HTTP or `DISCOVERY_FAILED` error when the JWKS cannot be had.
   * `fetch` is the operation's (default: the cache's).
   */
  async resolve(header: JwsKeySelector, fetch?: FetchLike): Promise<JwksKeyMatch> {
    const { set } = await this.#ready();
    // A set fetched during this very call (none held yet, or expired) is current: not fetched twice.
    const fetchedInCall = set.jwks() === undefined || !set.fresh;
    const before = this.#fetchCount;
    let keys = await this.#match(header, fetch);
    // A fetch made meanwhile (another lookup's, joined by this one) brought the set just matched: the refetch.
    let refetched = !fetchedInCall && this.#fetchCount !== before;
    if (keys.length === 0 && !fetchedInCall) {
      // Rotation: the token may be signed by a key newer than our copy. jose does not refetch on a miss
      // by itself, so it is asked to; a fetch still under way (another caller's) is joined.
      if (!refetched || set.reloading) await this.refresh(fetch);
      refetched = true;
      keys = await this.#match(header, fetch);
    }
    if (keys.length === 0) {
      throw new DeskError('ID_TOKEN_KEY_NOT_FOUND', `The provider's JWKS has no key for ${describeKid(header.kid)} and alg ${header.alg}${refetched || fetchedInCall ? ', even freshly fetched' : ''}. The token was signed by a key this provider does not publish.`);
    }
    return { keys, refetched };
  }

  async #match(header: JwsKeySelector, fetch: FetchLike | undefined): Promise<CryptoKey[]> {
    const { set, jose } = await this.#ready();
    const { errors } = jose;
    try {
      return [await this.#through(fetch, () => set({ alg: header.alg, ...(header.kid === undefined ? {} : { kid: header.kid }) }))];
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) return [];
      if (error instanceof errors.JWKSMultipleMatchingKeys) {
        const keys: CryptoKey[] = [];
        for await (const key of error) keys.push(key);
        return keys;
      }
      if (error instanceof errors.JOSENotSupported) {
        throw new DeskError('ID_TOKEN_ALG_NOT_ALLOWED', `alg ${header.alg} cannot be verified with a public key from a JWKS.`, { cause: error });
      }
      if (error instanceof DeskError || error instanceof errors.JWKSInvalid || error instanceof errors.JWKSTimeout) throw this.#fetchError(error, jose);
      throw new DeskError('DISCOVERY_FAILED', `The provider's JWKS key for ${describeKid(header.kid)} cannot be used: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
    }
  }

  /** A fetch failure as a DeskError: the core fetch's (HTTP_*, DISCOVERY_FAILED) as it is, jose's mapped. */
  #fetchError(error: unknown, jose: Jose): DeskError {
    if (error instanceof DeskError) return error;
    if (error instanceof jose.errors.JWKSTimeout) return new DeskError('HTTP_TIMEOUT', `The provider's JWKS (${this.#origin}) did not answer in time.`, { cause: error });
    return new DeskError('DISCOVERY_FAILED', `The provider's JWKS (${this.#origin}) is malformed.`, { cause: error });
  }
}

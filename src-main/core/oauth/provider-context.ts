/**
 * What the core knows about one provider for one client: its validated metadata, its JWKS and the
 * oauth4webapi client object. Discovery is cached per (issuer, client) for a bounded time and shared by
 * every session; each operation uses it bound to its own exchange context (`within`).
 * @module
 */
import * as oauth from 'oauth4webapi';
import type { FetchLike } from '../http/client.ts';
import { fetchFor, type ExchangeContext } from '../http/exchange-context.ts';
import { discover, type MetadataSource, type ServerMetadata } from './discovery.ts';
import { JwksCache, type JwksKeys } from './jwks.ts';

/** Clock leeway for every time check on tokens (documented: at most 60 s). */
export const CLOCK_SKEW_SECONDS = 60;

/** How long discovered metadata is used before it is fetched again: a long-running app sees a provider's changes. */
export const DISCOVERY_TTL_MS = 60 * 60 * 1000;

/** A discovered provider as a client sees it. */
export interface ProviderContext {
  readonly issuer: string;
  readonly metadata: ServerMetadata;
  /** Which metadata document answered, and its URL. */
  readonly metadataSource: MetadataSource;
  readonly client: oauth.Client;
  readonly jwks: JwksKeys | undefined;
  readonly allowHttp: boolean;
  /** Options for every oauth4webapi request to this provider. */
  readonly requestOptions: { [oauth.customFetch]: FetchLike; [oauth.allowInsecureRequests]: boolean };
  /**
   * The same provider for one operation: every request made through the result (oauth4webapi's, the
   * JWKS's) is attributed to `context` in the exchange log, whatever context this one had.
   */
  within(context: ExchangeContext | undefined): ProviderContext;
}

/** What identifies a provider context: the profile's issuer, client and loopback permission. */
export interface ProviderKey {
  readonly issuer: string;
  readonly clientId: string;
  readonly allowHttpLoopback: boolean;
}

/** Options of {@link ProviderDirectory}. */
export interface ProviderDirectoryOptions {
  /** Clock, ms (default Date.now). */
  readonly now?: () => number;
  /** Lifetime of a discovery (default {@link DISCOVERY_TTL_MS}). */
  readonly ttlMs?: number;
}

interface Entry {
  readonly promise: Promise<ProviderContext>;
  /** Set once discovery succeeded. */
  expiresAt: number | undefined;
}

/** Caches discovery per (issuer, client) for {@link DISCOVERY_TTL_MS}; a failed discovery is not kept. */
export class ProviderDirectory {
  readonly #fetch: FetchLike;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, Entry>();

  constructor(fetch: FetchLike, options: ProviderDirectoryOptions = {}) {
    this.#fetch = fetch;
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? DISCOVERY_TTL_MS;
  }

  /**
   * The provider context for a profile, bound to `context` (see {@link ProviderContext.within}): discovered
   * on first use and again once its lifetime is over (or at once with `fresh`). Concurrent calls share one
   * discovery, attributed to the call that started it.
   */
  get(input: ProviderKey, options: { readonly fresh?: boolean; readonly context?: ExchangeContext | undefined } = {}): Promise<ProviderContext> {
    const { context } = options;
    const shared = this.#shared(input, options.fresh === true, context);
    return context === undefined ? shared : shared.then((provider) => provider.within(context));
  }

  #shared(input: ProviderKey, fresh: boolean, context: ExchangeContext | undefined): Promise<ProviderContext> {
    const key = `${input.issuer}\n${input.clientId}\n${input.allowHttpLoopback}`;
    const cached = this.#cache.get(key);
    // An entry still being discovered has no expiry yet: it is shared, even with a `fresh` caller.
    const usable = cached !== undefined && (cached.expiresAt === undefined || (!fresh && this.#now() < cached.expiresAt));
    if (usable) return cached.promise;
    const entry: Entry = { promise: this.#load(input, context), expiresAt: undefined };
    this.#cache.set(key, entry);
    entry.promise.then(
      () => {
        entry.expiresAt = this.#now() + this.#ttlMs;
      },
      () => {
        if (this.#cache.get(key) === entry) this.#cache.delete(key);
      },
    );
    return entry.promise;
  }

  async #load(input: ProviderKey, context: ExchangeContext | undefined): Promise<ProviderContext> {
    const allowHttp = input.allowHttpLoopback && input.issuer.startsWith('http:');
    const { metadata, source } = await discover(input.issuer, { fetch: fetchFor(this.#fetch, context), allowHttp });
    let jwks: JwksCache | undefined;
    // discover() has checked every endpoint's scheme and host.
    if (metadata.jwks_uri !== undefined) jwks = new JwksCache({ jwksUri: metadata.jwks_uri, fetch: this.#fetch });
    const client: oauth.Client = { client_id: input.clientId, token_endpoint_auth_method: 'none', [oauth.clockTolerance]: CLOCK_SKEW_SECONDS };
    const base = this.#fetch;
    const bound = (fetch: FetchLike, keys: JwksKeys | undefined): ProviderContext => ({
      issuer: input.issuer,
      metadata,
      metadataSource: source,
      client,
      jwks: keys,
      allowHttp,
      requestOptions: { [oauth.customFetch]: fetch, [oauth.allowInsecureRequests]: allowHttp },
      // Always from the core fetch itself: an operation's context replaces, never nests in, another's.
      within: (next) => {
        if (next === undefined) return shared;
        const tagged = fetchFor(base, next);
        return bound(tagged, jwks?.for(tagged));
      },
    });
    const shared = bound(base, jwks);
    return shared;
  }
}

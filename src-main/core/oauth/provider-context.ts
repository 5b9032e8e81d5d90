/**
 * What the core knows about one provider for one client: its validated metadata, its JWKS cache and
 * the oauth4webapi client object. Discovery runs once per issuer and is shared by every session.
 * @module
 */
import * as oauth from 'oauth4webapi';
import type { FetchLike } from '../http/client.ts';
import { discover, type ServerMetadata } from './discovery.ts';
import { JwksCache } from './jwks.ts';

/** Clock leeway for every time check on tokens (documented: at most 60 s). */
export const CLOCK_SKEW_SECONDS = 60;

/** A discovered provider as a client sees it. */
export interface ProviderContext {
  readonly issuer: string;
  readonly metadata: ServerMetadata;
  readonly client: oauth.Client;
  readonly jwks: JwksCache | undefined;
  readonly allowHttp: boolean;
  /** Options for every oauth4webapi request to this provider. */
  readonly requestOptions: { [oauth.customFetch]: FetchLike; [oauth.allowInsecureRequests]: boolean };
}

/** Caches discovery per (issuer, client). */
export class ProviderDirectory {
  readonly #fetch: FetchLike;
  readonly #cache = new Map<string, Promise<ProviderContext>>();

  constructor(fetch: FetchLike) {
    this.#fetch = fetch;
  }

  /** The provider context for a profile; discovery happens on first use. */
  get(input: { issuer: string; clientId: string; allowHttpLoopback: boolean }): Promise<ProviderContext> {
    const key = `${input.issuer}\n${input.clientId}\n${input.allowHttpLoopback}`;
    let entry = this.#cache.get(key);
    if (entry === undefined) {
      entry = this.#load(input);
      this.#cache.set(key, entry);
      // A failed discovery is not cached: the next attempt tries again.
      entry.catch(() => this.#cache.delete(key));
    }
    return entry;
  }

  async #load(input: { issuer: string; clientId: string; allowHttpLoopback: boolean }): Promise<ProviderContext> {
    const allowHttp = input.allowHttpLoopback && input.issuer.startsWith('http:');
    const metadata = await discover(input.issuer, { fetch: this.#fetch, allowHttp });
    let jwks: JwksCache | undefined;
    // discover() has checked every endpoint's scheme and host.
    if (metadata.jwks_uri !== undefined) jwks = new JwksCache({ jwksUri: metadata.jwks_uri, fetch: this.#fetch });
    return {
      issuer: input.issuer,
      metadata,
      client: { client_id: input.clientId, token_endpoint_auth_method: 'none', [oauth.clockTolerance]: CLOCK_SKEW_SECONDS },
      jwks,
      allowHttp,
      requestOptions: { [oauth.customFetch]: this.#fetch, [oauth.allowInsecureRequests]: allowHttp },
    };
  }
}

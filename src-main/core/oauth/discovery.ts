/**
 * Discovery of the provider's metadata: OpenID Connect Discovery first, RFC 8414 as the fallback,
 * with the metadata issuer required to equal the configured issuer exactly.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';
import { isLoopbackHost } from '../profile.ts';
import { mapOAuthError } from './oauth-errors.ts';

/** The discovered metadata (oauth4webapi's validated `AuthorizationServer`). */
export type ServerMetadata = oauth.AuthorizationServer;

/** Which metadata document answered: OpenID Connect Discovery 1.0, or RFC 8414 (OAuth 2.0 metadata). */
export interface MetadataSource {
  readonly document: 'openid-discovery' | 'rfc8414';
  /** The URL it was fetched from. */
  readonly url: string;
}

/** Validated metadata and where it came from. */
export interface Discovered {
  readonly metadata: ServerMetadata;
  readonly source: MetadataSource;
}

/** Options for {@link discover}. */
export interface DiscoveryOptions {
  readonly fetch: FetchLike;
  /** Permit `http:` (the profile allowed a loopback provider). */
  readonly allowHttp: boolean;
}

async function attempt(issuer: URL, algorithm: 'oidc' | 'oauth2', options: DiscoveryOptions): Promise<Discovered> {
  let url = '';
  const response = await oauth.discoveryRequest(issuer, {
    algorithm,
    // oauth4webapi builds the well-known URL (appended for OIDC, inserted for RFC 8414); keep the one it used.
    [oauth.customFetch]: (input, init) => {
      url = input;
      return options.fetch(input, init);
    },
    [oauth.allowInsecureRequests]: options.allowHttp,
  });
  const metadata = await oauth.processDiscoveryResponse(issuer, response);
  return { metadata, source: { document: algorithm === 'oidc' ? 'openid-discovery' : 'rfc8414', url } };
}

/**
 * Fetches and validates the provider's metadata.
 *
 * Works for Okta's org authorization server (`https://{domain}`) and custom ones
 * (`https://{domain}/oauth2/{id}`): both publish `/.well-known/openid-configuration` under the issuer.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 */
export async function discover(issuer: string, options: DiscoveryOptions): Promise<Discovered> {
  const url = new URL(issuer);
  let discovered: Discovered;
  try {
    discovered = await attempt(url, 'oidc', options);
  } catch (first) {
    if (!(first instanceof oauth.OperationProcessingError) || first.code !== oauth.RESPONSE_IS_NOT_CONFORM) {
      throw discoveryError(first, issuer);
    }
    try {
      discovered = await attempt(url, 'oauth2', options);
    } catch (second) {
      throw discoveryError(second, issuer);
    }
  }
  const { metadata } = discovered;
  // oauth4webapi compares normalised URLs; the issuer must match character for character (OIDC
  // Discovery §4.3), because the same string is compared with `iss` in every token.
  if (metadata.issuer !== issuer) {
    throw new DeskError('DISCOVERY_ISSUER_MISMATCH', `The provider says its issuer is "${metadata.issuer}", not "${issuer}". Set the profile's issuer to exactly the provider's value.`);
  }
  if (typeof metadata.authorization_endpoint !== 'string' || typeof metadata.token_endpoint !== 'string') {
    throw new DeskError('DISCOVERY_FAILED', `The metadata of ${issuer} has no authorization or token endpoint.`);
  }
  assertEndpoints(metadata, options.allowHttp);
  return discovered;
}

/** Metadata fields holding URLs the client calls or opens. */
export const ENDPOINTS = [
  'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'revocation_endpoint',
  'introspection_endpoint', 'end_session_endpoint', 'pushed_authorization_request_endpoint', 'device_authorization_endpoint',
] as const;

/**
 * Every endpoint must be https; http only for a local provider the profile allowed, and then only on
 * a loopback host: a refresh token must never cross a network in clear text.
 */
function assertEndpoints(metadata: ServerMetadata, allowHttp: boolean): void {
  for (const name of ENDPOINTS) {
    const value = metadata[name];
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw new DeskError('DISCOVERY_FAILED', `The provider's ${name} is not a valid URL.`);
    }
    const ok = url.protocol === 'https:' || (url.protocol === 'http:' && allowHttp && isLoopbackHost(url.hostname));
    if (!ok || url.username || url.password) {
      throw new DeskError('DISCOVERY_FAILED', `The provider's ${name} (${url.protocol}//${url.host}) is refused: endpoints must use https, or http on this computer's loopback for a local provider.`);
    }
  }
}

function discoveryError(error: unknown, issuer: string): DeskError {
  if (error instanceof DeskError) return error;
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
    const body = (error.cause as { body?: { issuer?: unknown } } | undefined)?.body;
    const stated = typeof body?.issuer === 'string' ? `"${body.issuer.slice(0, 200)}"` : 'another value';
    return new DeskError('DISCOVERY_ISSUER_MISMATCH', `The provider says its issuer is ${stated}, not "${issuer}". Set the profile's issuer to exactly the provider's value.`, { cause: error });
  }
  const mapped = mapOAuthError(error, 'DISCOVERY_FAILED');
  return new DeskError(mapped.code, `Discovery failed for ${issuer}: ${mapped.message}`, { cause: error });
}

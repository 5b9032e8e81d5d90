/**
 * The provider check: what a provider's metadata announces that matters to a native client, as a
 * plain summary for every front (supported, not supported, or unknown when the metadata is silent).
 * @module
 */
import { ENDPOINTS, type ServerMetadata } from './discovery.ts';
import { parSupport } from './par.ts';
import type { ProviderDirectory, ProviderKey } from './provider-context.ts';

/** The capabilities the check reports, in this order. */
export type FeatureId =
  | 'pkce-s256' | 'iss-parameter' | 'refresh-token' | 'revocation' | 'introspection'
  | 'rp-initiated-logout' | 'device-authorization' | 'par' | 'dpop';

/** What the metadata says about one capability: `unknown` when it is silent (or says it in the wrong type). */
export type Support = 'supported' | 'not-supported' | 'unknown';

/** One capability, with a one-line note naming the metadata field that decided. */
export interface FeatureCheck {
  readonly id: FeatureId;
  readonly status: Support;
  readonly note: string;
}

/** The summary of {@link checkProvider}: plain data, safe to serialize. */
export interface ProviderCheck {
  readonly issuer: string;
  readonly clientId: string;
  /** Which metadata document answered, and where. */
  readonly metadataDocument: { readonly kind: 'openid-discovery' | 'rfc8414'; readonly url: string };
  /** The endpoints announced, by metadata name (`token_endpoint`, `revocation_endpoint`, ...). */
  readonly endpoints: Readonly<Record<string, string>>;
  readonly features: readonly FeatureCheck[];
  /** What may not work, or works with less protection, with this provider. */
  readonly warnings: readonly string[];
  /** Pushed authorization requests (RFC 9126): an endpoint is announced; every request must be pushed. */
  readonly par: { readonly supported: boolean; readonly required: boolean };
  /** The DPoP proof algorithms announced (`dpop_signing_alg_values_supported`, RFC 9449); null when the metadata is silent or malformed. */
  readonly dpopAlgorithms: readonly string[] | null;
}

type Field = Readonly<Record<string, unknown>>;

function feature(id: FeatureId, status: Support, note: string): FeatureCheck {
  return { id, status, note };
}

/** A metadata list: its strings, `absent`, or `malformed` when it is not a list of strings. */
function list(metadata: Field, name: string): readonly string[] | 'absent' | 'malformed' {
  const value = metadata[name];
  if (value === undefined) return 'absent';
  if (!Array.isArray(value) || !value.every((v: unknown) => typeof v === 'string')) return 'malformed';
  return value as string[];
}

/** Algorithm names fit to show: a provider's metadata is untrusted text. */
function names(values: readonly string[]): string {
  const shown = values.filter((v) => /^[A-Za-z0-9_.+-]{1,40}$/.test(v)).slice(0, 8);
  return shown.length > 0 ? shown.join(', ') : 'none nameable';
}

function pkce(metadata: Field): FeatureCheck {
  const methods = list(metadata, 'code_challenge_methods_supported');
  if (methods === 'absent') return feature('pkce-s256', 'unknown', 'code_challenge_methods_supported is absent (RFC 8414 reads that as no PKCE; many providers accept it anyway)');
  if (methods === 'malformed') return feature('pkce-s256', 'unknown', 'code_challenge_methods_supported is not a list of methods');
  return methods.includes('S256')
    ? feature('pkce-s256', 'supported', 'code_challenge_methods_supported includes S256')
    : feature('pkce-s256', 'not-supported', 'code_challenge_methods_supported does not include S256');
}

function issParameter(metadata: Field): FeatureCheck {
  const value = metadata['authorization_response_iss_parameter_supported'];
  if (value === true) return feature('iss-parameter', 'supported', 'authorization_response_iss_parameter_supported is true: a callback without the right iss is refused');
  if (value === false) return feature('iss-parameter', 'not-supported', 'authorization_response_iss_parameter_supported is false: callbacks carry no iss');
  if (value === undefined) return feature('iss-parameter', 'unknown', 'authorization_response_iss_parameter_supported is absent (its default is false)');
  return feature('iss-parameter', 'unknown', 'authorization_response_iss_parameter_supported is not a boolean');
}

function refreshToken(metadata: Field): FeatureCheck {
  const grants = list(metadata, 'grant_types_supported');
  const scopes = list(metadata, 'scopes_supported');
  const offline = Array.isArray(scopes)
    ? (scopes.includes('offline_access') ? '; offline_access is in scopes_supported' : '; offline_access is not in scopes_supported (the provider may issue refresh tokens another way)')
    : '';
  if (grants === 'absent') return feature('refresh-token', 'unknown', `grant_types_supported is absent (its default, authorization_code and implicit, names no refresh_token)${offline}`);
  if (grants === 'malformed') return feature('refresh-token', 'unknown', `grant_types_supported is not a list of grant types${offline}`);
  return grants.includes('refresh_token')
    ? feature('refresh-token', 'supported', `grant_types_supported includes refresh_token${offline}`)
    : feature('refresh-token', 'not-supported', `grant_types_supported does not include refresh_token: sessions end when the access token expires${offline}`);
}

/** A capability that is an endpoint: supported when announced, unknown when not (OIDC Desk uses announced endpoints only). */
function endpoint(metadata: Field, id: FeatureId, name: string, use: string, without: string): FeatureCheck {
  return typeof metadata[name] === 'string'
    ? feature(id, 'supported', `${name} is announced: ${use}`)
    : feature(id, 'unknown', `no ${name} is announced: ${without}`);
}

function par(metadata: Field): FeatureCheck {
  const required = metadata['require_pushed_authorization_requests'] === true
    ? '; the provider requires it (require_pushed_authorization_requests): a profile pushes every request unless its PAR setting is never'
    : '; a profile pushes its requests when its PAR setting is always';
  return typeof metadata['pushed_authorization_request_endpoint'] === 'string'
    ? feature('par', 'supported', `pushed_authorization_request_endpoint is announced${required}`)
    : feature('par', 'unknown', `no pushed_authorization_request_endpoint is announced${metadata['require_pushed_authorization_requests'] === true ? '; yet the provider says it requires PAR' : ''}`);
}

function dpop(metadata: Field): FeatureCheck {
  const algs = list(metadata, 'dpop_signing_alg_values_supported');
  if (algs === 'absent') return feature('dpop', 'unknown', 'dpop_signing_alg_values_supported is absent (a profile with DPoP on finds out from the token_type of the answer)');
  if (algs === 'malformed') return feature('dpop', 'unknown', 'dpop_signing_alg_values_supported is not a list of algorithms');
  if (algs.length === 0) return feature('dpop', 'not-supported', 'dpop_signing_alg_values_supported is empty');
  return algs.includes('ES256')
    ? feature('dpop', 'supported', `dpop_signing_alg_values_supported lists ${names(algs)}: a profile with DPoP on binds its tokens to an ES256 key of its own`)
    : feature('dpop', 'not-supported', `dpop_signing_alg_values_supported lists ${names(algs)}, not ES256, the one OIDC Desk signs DPoP proofs with`);
}

/** Warnings: what may fail, or is less protected, for a native public client using authorization code + PKCE. */
function warningsFor(metadata: Field, features: readonly FeatureCheck[]): string[] {
  const out: string[] = [];
  const status = (id: FeatureId): Support | undefined => features.find((f) => f.id === id)?.status;
  if (status('pkce-s256') !== 'supported') {
    out.push('PKCE with S256 is not announced: OIDC Desk still sends S256 (never plain); if the provider does not support it, the code exchange fails.');
  }
  if (status('iss-parameter') !== 'supported') {
    out.push('RFC 9207 iss in the authorization response is not announced: the mix-up defence is weaker (a callback is still bound to its sign-in by state, and an iss that is sent is still checked).');
  }
  if (metadata['require_pushed_authorization_requests'] === true) {
    out.push(typeof metadata['pushed_authorization_request_endpoint'] === 'string'
      ? 'The provider requires pushed authorization requests (PAR): leave the profile\'s PAR setting on auto (or always); with never, signing in is refused before the browser (PAR_REQUIRED).'
      : 'The provider requires pushed authorization requests (PAR) but announces no endpoint for them: signing in will fail.');
  }
  const authMethods = list(metadata, 'token_endpoint_auth_methods_supported');
  if (Array.isArray(authMethods) && !authMethods.includes('none')) {
    out.push('token_endpoint_auth_methods_supported does not include none: the provider may not accept a public client (token_endpoint_auth_method none) such as OIDC Desk.');
  }
  const responseTypes = list(metadata, 'response_types_supported');
  if (Array.isArray(responseTypes) && !responseTypes.includes('code')) {
    out.push('response_types_supported does not include code: OIDC Desk signs in with response_type=code only.');
  }
  return out;
}

/** The announced endpoints, by metadata name; discovery has checked every one (https, or http on loopback when allowed). */
function endpointsOf(metadata: ServerMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ENDPOINTS) {
    const value = metadata[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * Discovers a provider afresh (with every check discovery makes: exact issuer, https endpoints, ...)
 * and summarises what its metadata announces for OIDC Desk. Throws the discovery's DeskError
 * (`DISCOVERY_FAILED`, `DISCOVERY_ISSUER_MISMATCH`, `HTTP_*`) when it cannot be used at all.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-3
 */
export async function checkProvider(directory: ProviderDirectory, input: ProviderKey): Promise<ProviderCheck> {
  const ctx = await directory.get(input, { fresh: true });
  const metadata: Field = ctx.metadata;
  const features = [
    pkce(metadata),
    issParameter(metadata),
    refreshToken(metadata),
    endpoint(metadata, 'revocation', 'revocation_endpoint', 'sign-out revokes tokens at the provider (RFC 7009)', 'sign-out cannot revoke tokens at the provider, only forget them'),
    endpoint(metadata, 'introspection', 'introspection_endpoint', 'tokens can be introspected (RFC 7662)', 'tokens cannot be introspected'),
    endpoint(metadata, 'rp-initiated-logout', 'end_session_endpoint', 'sign-out can end the provider\'s browser session too', 'sign-out cannot end the provider\'s browser session'),
    endpoint(metadata, 'device-authorization', 'device_authorization_endpoint', 'the device grant (RFC 8628) is offered: a profile of the device_code flow signs in with it', 'no device grant (RFC 8628)'),
    par(metadata),
    dpop(metadata),
  ];
  return {
    issuer: ctx.issuer,
    clientId: ctx.client.client_id,
    metadataDocument: { kind: ctx.metadataSource.document, url: ctx.metadataSource.url },
    endpoints: endpointsOf(ctx.metadata),
    features,
    warnings: warningsFor(metadata, features),
    par: parSupport(ctx.metadata),
    dpopAlgorithms: dpopAlgorithms(metadata),
  };
}

/** The DPoP algorithms the metadata lists, fit to show; null when it lists none or not as a list. */
function dpopAlgorithms(metadata: Field): readonly string[] | null {
  const algs = list(metadata, 'dpop_signing_alg_values_supported');
  return Array.isArray(algs) ? algs.filter((v) => /^[A-Za-z0-9_.+-]{1,40}$/.test(v)).slice(0, 16) : null;
}

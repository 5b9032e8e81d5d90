/**
 * DPoP (RFC 9449): a session's key pair, the oauth4webapi handle that signs a fresh proof for each request
 * and keeps the provider's nonces, the one retry a `use_dpop_nonce` refusal earns, and the checks that a
 * token response is bound to the key (`token_type` DPoP, `cnf.jkt`).
 * @see https://www.rfc-editor.org/rfc/rfc9449
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import type { PrivateJwk } from '../store/client-credential.ts';
import { toDpopJwk } from '../store/dpop-jwk.ts';
import type { ServerMetadata } from './discovery.ts';
import { loadJose } from './jose-module.ts';
import { decodeJwt } from './jwt-decode.ts';

/** The only DPoP proof algorithm OIDC Desk signs with (every provider that offers DPoP takes it). */
export const DPOP_ALG = 'ES256';

/** A session's DPoP key: the private JWK (for the keychain only) and its public thumbprint. */
export interface DpopKey {
  /** EC P-256 private JWK: `kty`, `crv`, `x`, `y`, `d`. Never in a file, a view or a log. */
  readonly privateJwk: PrivateJwk;
  /** The RFC 7638 SHA-256 thumbprint of the public key: `dpop_jkt`, and what `cnf.jkt` must name. */
  readonly jkt: string;
}

/** A key and the oauth4webapi handle that signs with it (and remembers each origin's last DPoP-Nonce). */
export interface DpopSigner {
  readonly key: DpopKey;
  readonly handle: oauth.DPoPHandle;
}

/** The RFC 7638 thumbprint of a JWK's public part. */
async function thumbprint(jwk: PrivateJwk): Promise<string> {
  const { calculateJwkThumbprint } = await loadJose();
  const { kty = '', crv = '', x = '', y = '' } = jwk;
  return calculateJwkThumbprint({ kty, crv, x, y });
}

/**
 * Refuses DPoP with a provider whose metadata lists DPoP algorithms without ES256. A provider that lists
 * none may still bind the tokens (the answer's `token_type` says so, and is checked).
 * @throws DeskError `ENDPOINT_NOT_SUPPORTED`
 */
export function assertDpopOffered(metadata: ServerMetadata): void {
  const algs = metadata.dpop_signing_alg_values_supported;
  if (Array.isArray(algs) && !algs.includes(DPOP_ALG)) {
    throw new DeskError('ENDPOINT_NOT_SUPPORTED', `The provider's DPoP algorithms (dpop_signing_alg_values_supported) do not include ${DPOP_ALG}, the one OIDC Desk signs with. Turn DPoP off in this profile.`);
  }
}

/**
 * A new DPoP key pair (ES256, one per session).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export async function generateDpopKey(): Promise<DpopKey> {
  const { generateKeyPair, exportJWK } = await loadJose();
  const { privateKey } = await generateKeyPair(DPOP_ALG, { extractable: true });
  const privateJwk = toDpopJwk(await exportJWK(privateKey));
  if (privateJwk === undefined) throw new DeskError('INTERNAL', 'The new DPoP key could not be exported.');
  return { privateJwk, jkt: await thumbprint(privateJwk) };
}

/** The key of a stored private JWK, its thumbprint computed again (the stored one is not trusted). */
export async function dpopKeyOf(privateJwk: PrivateJwk): Promise<DpopKey> {
  const checked = toDpopJwk(privateJwk);
  if (checked === undefined) throw new DeskError('KEYCHAIN_ENTRY_CORRUPT', 'The DPoP key of this session is not a valid key.');
  return { privateJwk: checked, jkt: await thumbprint(checked) };
}

/** A signer for `key`: a fresh proof per request, the provider's nonces remembered per origin. */
export async function dpopSigner(key: DpopKey): Promise<DpopSigner> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const { d: _private, ...publicJwk } = key.privateJwk;
  const privateKey = await crypto.subtle.importKey('jwk', { ...key.privateJwk }, algorithm, false, ['sign']);
  // oauth4webapi exports the public key into each proof's header: it must be extractable.
  const publicKey = await crypto.subtle.importKey('jwk', publicJwk, algorithm, true, ['verify']);
  return { key, handle: oauth.DPoP({}, { privateKey, publicKey }) };
}

/** True for the provider's `use_dpop_nonce` refusal (token endpoint body or `WWW-Authenticate`), also once mapped to a DeskError. */
export function isDpopNonceRefusal(error: unknown): boolean {
  return oauth.isDPoPNonceError(error) || (error instanceof DeskError && oauth.isDPoPNonceError(error.cause));
}

/**
 * Runs a DPoP request, and once more when the provider refused it for want of its nonce: the handle took
 * the `DPoP-Nonce` from that answer, so the second proof carries it. A second refusal is the answer.
 * Without a signer the request runs once.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-9
 */
export async function withDpopNonceRetry<T>(signer: DpopSigner | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (signer === undefined || !isDpopNonceRefusal(error)) throw error;
    return run();
  }
}

/** The `cnf.jkt` of an access token that is a JWT (RFC 9449 §6.1); undefined for an opaque token or one without it. */
export function accessTokenJkt(accessToken: string): string | undefined {
  const cnf = decodeJwt(accessToken)?.claims['cnf'];
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const jkt = (cnf as Record<string, unknown>)['jkt'];
  return typeof jkt === 'string' ? jkt : undefined;
}

/**
 * Refuses a token response to a DPoP request that is not bound to `key`: another `token_type` than DPoP
 * (the provider issued a bearer token), or a JWT access token whose `cnf.jkt` names another key.
 * @throws DeskError `DPOP_NOT_BOUND`, `DPOP_BINDING_MISMATCH`
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 */
export function assertDpopBound(tokens: { readonly accessToken: string; readonly tokenType: string }, key: DpopKey): void {
  if (tokens.tokenType.toLowerCase() !== 'dpop') {
    throw new DeskError('DPOP_NOT_BOUND', 'The provider answered a DPoP token request with a token that is not DPoP-bound (token_type is not DPoP), so the tokens were refused. Turn DPoP on for this app at the provider (Okta: "Require Demonstrating Proof of Possession (DPoP) header in token requests"), or off in the profile.');
  }
  const jkt = accessTokenJkt(tokens.accessToken);
  if (jkt !== undefined && jkt !== key.jkt) {
    throw new DeskError('DPOP_BINDING_MISMATCH', 'The access token is bound (cnf.jkt) to another key than this session\'s DPoP key, so the tokens were refused.');
  }
}

/** The error for a DPoP-bound session whose key the keychain no longer holds: nothing is sent as a bearer token instead. */
export function dpopKeyMissing(): DeskError {
  return new DeskError('DPOP_KEY_MISSING', 'This session\'s tokens are bound to a DPoP key (RFC 9449), but its keychain entry no longer holds that key, so nothing was sent (never as a bearer token instead). The session is kept; sign in again to give it a new key.');
}

/**
 * Client authentication at the token endpoint for confidential clients (client secret, basic or post;
 * private_key_jwt with a key pair made here), and the public half of that key for registration.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import type { ClientAuthMethod } from '../profile.ts';
import type { PrivateJwk, StoredClientCredential } from '../store/client-credential.ts';
import { loadJose } from './jose-module.ts';

/** The signing algorithms offered for a `private_key_jwt` key pair. */
export const CLIENT_KEY_ALGS = ['ES256', 'RS256'] as const;
/** One of {@link CLIENT_KEY_ALGS}. */
export type ClientKeyAlg = (typeof CLIENT_KEY_ALGS)[number];

/** The public JWK to register at the provider, and its RFC 7638 thumbprint (also its `kid`). */
export interface PublicClientKey {
  readonly jwk: Readonly<Record<string, string>>;
  readonly thumbprint: string;
}

/**
 * A new key pair for `private_key_jwt`: the private JWK (for the keychain) with `kid` = the RFC 7638
 * thumbprint, `alg` and `use: sig`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export async function generateClientKey(alg: ClientKeyAlg): Promise<PrivateJwk> {
  const { generateKeyPair, exportJWK, calculateJwkThumbprint } = await loadJose();
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const out: Record<string, string> = { alg, use: 'sig', kid };
  for (const [k, v] of Object.entries(jwk)) if (typeof v === 'string') out[k] = v;
  return out;
}

const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = { EC: ['kty', 'crv', 'x', 'y'], RSA: ['kty', 'n', 'e'] };

/** The public half of a private JWK (only the public members, plus kid, alg and use). */
export function publicClientKey(jwk: PrivateJwk): PublicClientKey {
  const members = PUBLIC_MEMBERS[jwk['kty'] ?? ''] ?? [];
  const pub: Record<string, string> = {};
  for (const k of [...members, 'kid', 'alg', 'use']) {
    const v = jwk[k];
    if (v !== undefined) pub[k] = v;
  }
  return { jwk: pub, thumbprint: jwk['kid'] ?? '' };
}

/**
 * The oauth4webapi client authentication of a profile's method, from the client's keychain entry.
 * @throws DeskError `CLIENT_SECRET_MISSING` when the method needs a secret or key the entry lacks
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export async function clientAuthFor(method: ClientAuthMethod, credential: StoredClientCredential | undefined): Promise<oauth.ClientAuth> {
  switch (method) {
    case 'none':
      return oauth.None();
    case 'client_secret_basic':
    case 'client_secret_post': {
      const secret = credential?.secret;
      if (secret === undefined) throw new DeskError('CLIENT_SECRET_MISSING', 'No client secret is set for this client on this computer: set it first (it is kept in the OS keychain only).');
      return method === 'client_secret_basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
    }
    case 'private_key_jwt': {
      const jwk = credential?.privateJwk;
      if (jwk === undefined) throw new DeskError('CLIENT_SECRET_MISSING', 'No key pair is set for this client on this computer: generate one and register its public key at the provider first.');
      const { importJWK } = await loadJose();
      const alg = jwk['alg'] === 'RS256' ? 'RS256' : 'ES256';
      const key = await importJWK({ ...jwk }, alg);
      if (!(key instanceof CryptoKey)) throw new DeskError('INTERNAL', 'The stored private key could not be used.');
      return oauth.PrivateKeyJwt({ key, ...(jwk['kid'] === undefined ? {} : { kid: jwk['kid'] }) });
    }
  }
}

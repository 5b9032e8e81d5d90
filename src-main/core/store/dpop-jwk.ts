/** The shape of a session's DPoP private key as the keychain entry keeps it (EC P-256, RFC 9449), checked on every read. */
import type { PrivateJwk } from './client-credential.ts';

const B64URL_256 = /^[A-Za-z0-9_-]{43}$/;

/**
 * Narrows an unknown value (a keychain entry's field) to an EC P-256 private JWK, keeping only `kty`,
 * `crv`, `x`, `y` and `d`; undefined when it is not one.
 */
export function toDpopJwk(value: unknown): PrivateJwk | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { kty, crv, x, y, d } = value as Record<string, unknown>;
  if (kty !== 'EC' || crv !== 'P-256') return undefined;
  if (typeof x !== 'string' || typeof y !== 'string' || typeof d !== 'string') return undefined;
  if (![x, y, d].every((part) => B64URL_256.test(part))) return undefined;
  return { kty, crv, x, y, d };
}

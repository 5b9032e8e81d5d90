/**
 * What ties a session's secrets to one provider and one client, and what a refreshed ID token must keep:
 * the checks that decide whether a token may be sent, and the identity kept from the sign-in.
 * @module
 */
import { DeskError } from '../errors.ts';
import type { IdTokenClaims, IdTokenIdentity } from '../oauth/id-token.ts';
import type { IdTokenBinding, SessionRecord } from '../store/session-index.ts';
import type { TokenBinding } from './token-cache.ts';

/** The claims of a sign-in's ID token that OIDC Core §12.2 compares on every refresh. */
export function bindingOf(claims: IdTokenClaims | undefined): IdTokenBinding | undefined {
  if (claims === undefined) return undefined;
  const aud = typeof claims.aud === 'string' ? [claims.aud] : [...claims.aud];
  const azp = claims['azp'];
  const authTime = claims['auth_time'];
  return {
    iss: claims.iss,
    sub: claims.sub,
    aud,
    azp: typeof azp === 'string' ? azp : null,
    ...(typeof authTime === 'number' ? { authTime } : {}),
  };
}

/** The identity a refreshed ID token is compared with, from the stored binding; `compareAzp` is false for old records. */
export function identityOf(binding: IdTokenBinding): { identity: IdTokenIdentity; compareAzp: boolean } {
  return {
    identity: {
      iss: binding.iss,
      sub: binding.sub,
      aud: binding.aud,
      ...(typeof binding.azp === 'string' ? { azp: binding.azp } : {}),
      ...(binding.authTime === undefined ? {} : { auth_time: binding.authTime }),
    },
    compareAzp: binding.azp !== undefined,
  };
}

/** A name to show for the account: name, preferred_username or email, when the ID token has one. */
export function displayNameOf(claims: IdTokenClaims | undefined): string | undefined {
  for (const k of ['name', 'preferred_username', 'email']) {
    const v = claims?.[k];
    if (typeof v === 'string' && v.length > 0) return v.slice(0, 200);
  }
  return undefined;
}

/**
 * Refuses to use a secret bound to another issuer or client than the session's record: the data
 * directory is not trusted to say where a token goes (SECURITY.md, data dir). Nothing is sent; the
 * secret is left where it is.
 * @throws DeskError `SESSION_BINDING_MISMATCH`
 */
export function assertBoundTo(record: SessionRecord, bound: TokenBinding, what: string): void {
  if (bound.issuer === record.issuer && bound.clientId === record.clientId) return;
  throw new DeskError('SESSION_BINDING_MISMATCH', `The session index names another provider or client than the one this session's ${what} was issued to, so nothing was sent. The data directory may have been changed by another program: sign out of this session and sign in again.`);
}

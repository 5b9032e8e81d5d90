/**
 * ID token acceptance: the verification report must pass every check (OIDC Core §3.1.3.7), and a
 * refreshed ID token must keep the original's identity claims (§12.2).
 * @module
 */
import { DeskError } from '../errors.ts';
import type { JwksKeys } from './jwks.ts';
import { buildJwtReport, type JwtCheck, type JwtCheckId, type JwtReport, type JwtReportContext } from './jwt-report.ts';

/** The claims of a validated ID token: the REQUIRED ones are checked for type; the rest stay unknown. */
export type IdTokenClaims = Readonly<Record<string, unknown>> & {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly iat: number;
};

/** The result of {@link validateIdToken}. */
export interface ValidatedIdToken {
  readonly claims: IdTokenClaims;
  readonly header: Readonly<Record<string, unknown>>;
  /** Every check passed (`valid: true`); kept for the UI. */
  readonly report: JwtReport & { readonly kind: 'jwt' };
}

/** What the user can do about a failed claim check. */
const ADVICE: Readonly<Record<JwtCheckId, string>> = {
  alg: 'the provider must sign ID tokens with an asymmetric algorithm it advertises (RS256, ES256, ...)',
  signature: 'sign in again; if it persists, check the issuer in the profile',
  typ: 'the provider sent another kind of token in place of an ID token',
  iss: 'the ID token was issued by another issuer; check the issuer in the profile',
  sub: 'the provider sent an ID token without a subject',
  aud: 'the ID token is for another client; check the client id in the profile',
  azp: 'the ID token was issued to another party; check the client id in the profile',
  exp: 'the ID token has expired; check this computer\'s clock and sign in again',
  nbf: 'the ID token is not valid yet; check this computer\'s clock',
  iat: 'the ID token was issued in the future; check this computer\'s clock',
  nonce: 'the ID token does not belong to this sign-in; sign in again',
  at_hash: 'the ID token does not belong with the access token; sign in again',
  auth_time: 'the sign-in is older than max_age allows; sign in again',
  c_hash: 'the ID token does not belong with the code; sign in again',
};

function errorFor(check: JwtCheck): DeskError {
  const advice = ADVICE[check.id];
  return new DeskError(check.code ?? 'ID_TOKEN_INVALID', `The ID token was refused (${check.id}: ${check.detail}). ${advice.charAt(0).toUpperCase()}${advice.slice(1)}.`);
}

/**
 * Validates an ID token from a token response: builds its report (signature from the JWKS, alg
 * allow-list, iss, aud, azp, exp/nbf/iat with skew, nonce, at_hash, auth_time) and throws a DeskError
 * for the first failing check: `ID_TOKEN_ALG_NOT_ALLOWED`, `ID_TOKEN_SIGNATURE_INVALID`,
 * `ID_TOKEN_KEY_NOT_FOUND`, `ID_TOKEN_INVALID` (claims), `JWT_MALFORMED` (not a signed JWT), or the
 * HTTP/`DISCOVERY_FAILED` code when the JWKS could not be had.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
 */
export async function validateIdToken(idToken: string, ctx: JwtReportContext & { readonly jwks: JwksKeys }): Promise<ValidatedIdToken> {
  const token: unknown = idToken;
  if (typeof token !== 'string' || token === '') throw new DeskError('JWT_MALFORMED', 'The ID token is missing or not a string.');
  const report = await buildJwtReport(token, ctx);
  if (report.kind === 'opaque') {
    throw new DeskError('JWT_MALFORMED', report.encrypted === true
      ? 'The provider sent an encrypted ID token (JWE); OIDC Desk accepts signed ID tokens only. Turn off ID token encryption for this client.'
      : 'The ID token is not a signed JWT (three base64url parts with a JSON header and JSON claims).');
  }
  const failed = report.checks.find((c) => c.result === 'fail');
  if (failed !== undefined) throw errorFor(failed);
  if (!report.valid) throw new DeskError('ID_TOKEN_INVALID', 'The ID token was refused.');
  return { claims: report.claims as IdTokenClaims, header: report.header, report };
}

function audienceSet(aud: unknown): Set<string> | undefined {
  if (typeof aud === 'string') return new Set([aud]);
  if (Array.isArray(aud) && aud.every((a: unknown) => typeof a === 'string')) return new Set(aud as string[]);
  return undefined;
}

function sameAudience(a: unknown, b: unknown): boolean {
  const sa = audienceSet(a);
  const sb = audienceSet(b);
  return sa !== undefined && sb !== undefined && sa.size === sb.size && [...sa].every((v) => sb.has(v));
}

/** The identity claims compared by {@link checkRefreshedIdToken}. */
export type IdTokenIdentity = Readonly<Record<string, unknown>> & {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
};

/**
 * Checks a refreshed ID token against the one from the original sign-in: iss, sub, aud (same set),
 * azp (same, or absent in both) and auth_time (when the original had one) must be unchanged. Both
 * tokens must already be validated. `compareAzp: false` is for an original whose `azp` was not kept
 * (records written before it was). Throws DeskError `ID_TOKEN_CLAIMS_CHANGED` naming the claims.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 */
export function checkRefreshedIdToken(previous: IdTokenIdentity, next: IdTokenIdentity, options: { readonly compareAzp?: boolean } = {}): void {
  const changed: string[] = [];
  if (next.iss !== previous.iss) changed.push('iss');
  if (next.sub !== previous.sub) changed.push('sub');
  if (!sameAudience(previous.aud, next.aud)) changed.push('aud');
  if (options.compareAzp !== false && next['azp'] !== previous['azp']) changed.push('azp');
  if (previous['auth_time'] !== undefined && next['auth_time'] !== previous['auth_time']) changed.push('auth_time');
  if (changed.length > 0) {
    throw new DeskError('ID_TOKEN_CLAIMS_CHANGED', `The refreshed ID token changed ${changed.join(', ')}; OIDC Core §12.2 requires them to stay as at sign-in, so it was refused. Sign in again.`);
  }
}

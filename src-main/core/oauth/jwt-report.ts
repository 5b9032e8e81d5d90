/**
 * The per-check verification report of any token: whether it is a JWT, and for a JWT each check of
 * OIDC Core §3.1.3.7 on its own (signature, alg, iss, aud, azp, exp, nbf, iat, nonce, at_hash, auth_time)
 * with the reason. The UI and the CLI render it; `validateIdToken` turns a failing check into an error.
 * @module
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import type * as Jose from 'jose';
import { humanizeDuration } from '../duration.ts';
import { isDeskError, type ErrorCode } from '../errors.ts';
import type { JwksKeyMatch, JwksKeys } from './jwks.ts';
import { loadJose } from './jose-module.ts';
import { decodeJwt, tokenFormat } from './jwt-decode.ts';

/** The algorithms a public client can verify: asymmetric signatures only. */
export const ASYMMETRIC_JWS_ALGS: readonly string[] = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
];

/** Clock leeway used when none is given; also the largest accepted. */
export const DEFAULT_SKEW_SECONDS = 60;
export const MAX_SKEW_SECONDS = 60;

/** What a check looks at. */
export type JwtCheckId =
  | 'alg' | 'signature' | 'typ' | 'iss' | 'sub' | 'aud' | 'azp' | 'exp' | 'nbf' | 'iat' | 'nonce' | 'at_hash' | 'auth_time' | 'c_hash';

/**
 * One check of a JWT, with the reason in `detail` (never a token or nonce value). `warn` flags a value that
 * passes the rules but cannot be taken at face value (an implausible `auth_time`); it does not fail the token.
 */
export interface JwtCheck {
  readonly id: JwtCheckId;
  readonly result: 'pass' | 'fail' | 'warn' | 'not-applicable';
  readonly detail: string;
  /** For a failed check: the error code `validateIdToken` throws for it. */
  readonly code?: ErrorCode;
}

/**
 * The report of one token. `opaque`: not a compact JWS with a JSON header and claims (never "verified");
 * `encrypted` marks a 5-part JWE. `jwt`: decoded header and claims (untrusted until `valid`) and the checks.
 */
export type JwtReport =
  | { readonly kind: 'opaque'; readonly length: number; readonly encrypted?: true }
  | {
    readonly kind: 'jwt';
    readonly header: Record<string, unknown>;
    readonly claims: Record<string, unknown>;
    readonly checks: JwtCheck[];
    readonly valid: boolean;
    readonly clockOffsetMs?: number;
  };

/** What a token is checked against. */
export interface JwtReportContext {
  /** The discovered issuer; `iss` must equal it exactly. */
  readonly issuer: string;
  /** The client id; `aud` must be or contain it. */
  readonly audience: string;
  /** The provider's keys; without them the signature check fails (nothing is "verified" unchecked). */
  readonly jwks?: JwksKeys | undefined;
  /** `id_token_signing_alg_values_supported` from the metadata; intersected with the asymmetric algorithms. */
  readonly allowedAlgs?: readonly string[] | undefined;
  /** The nonce sent with the authorization request. */
  readonly nonce?: string | undefined;
  /** The access token from the same response, for `at_hash`. */
  readonly accessToken?: string | undefined;
  /** The local clock, ms since the epoch. */
  readonly now: () => number;
  /** Leeway for exp/nbf/iat/auth_time, seconds (default 60, at most 60). */
  readonly skewSeconds?: number | undefined;
  /** The provider's clock minus ours (see `estimateClockOffset`); explains time failures, never moves them. */
  readonly clockOffsetMs?: number | undefined;
  /** The expected `azp` (default: `audience`). */
  readonly expectAzp?: string | undefined;
  /** Fail when no nonce is available to compare (a sign-in that sent one). */
  readonly requireNonce?: boolean | undefined;
  /** The `max_age` sent with the authorization request, seconds; makes `auth_time` required and bounded. */
  readonly maxAgeSeconds?: number | undefined;
  /**
   * An ID token from the authorization endpoint (implicit or hybrid flow), with the `code` that came with
   * it, if any: the nonce is then required, `at_hash` is required when `accessToken` is given, and a
   * `c_hash` check (required) is added for the code; their failures carry their own codes.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDTValidation
   * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridIDTValidation
   */
  readonly frontChannel?: { readonly code?: string | undefined } | undefined;
}

/** Largest NumericDate (seconds) a JS Date can show. */
const MAX_NUMERIC_DATE = 8.64e12;
/** Hash of `at_hash` per alg: the SHA-2 of the alg; Ed25519 uses SHA-512 (OpenID errata). */
const AT_HASH_DIGEST: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  RS256: 'sha256', PS256: 'sha256', ES256: 'sha256',
  RS384: 'sha384', PS384: 'sha384', ES384: 'sha384',
  RS512: 'sha512', PS512: 'sha512', ES512: 'sha512',
  EdDSA: 'sha512', Ed25519: 'sha512',
};

/** A claim value for a detail string: JSON, shortened. Only for non-secret claims (iss, aud, azp, typ). */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_NUMERIC_DATE;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** "45 s", "4 min", "3 h", "12 days" (kept here for the report's users; the CLI's entry imports it without this module). */
export { humanizeDuration };

function pass(id: JwtCheckId, detail: string): JwtCheck {
  return { id, result: 'pass', detail };
}
function notApplicable(id: JwtCheckId, detail: string): JwtCheck {
  return { id, result: 'not-applicable', detail };
}
function warn(id: JwtCheckId, detail: string): JwtCheck {
  return { id, result: 'warn', detail };
}
function fail(id: JwtCheckId, detail: string, code: ErrorCode = 'ID_TOKEN_INVALID'): JwtCheck {
  return { id, result: 'fail', detail, code };
}

function describeKey(kid: string | undefined, candidates: number): string {
  if (kid !== undefined) return `kid=${kid.length > 100 ? `${kid.slice(0, 100)}...` : kid}`;
  return candidates > 1 ? `any of the ${candidates} keys matching the alg (no kid in the header)` : 'the matching key (no kid in the header)';
}

interface TimeContext {
  readonly nowMs: number;
  readonly skewMs: number;
  readonly skewText: string;
  readonly offsetMs: number | undefined;
}

function timeContext(ctx: JwtReportContext): TimeContext {
  const requested = ctx.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  const skew = Number.isFinite(requested) ? Math.min(Math.max(requested, 0), MAX_SKEW_SECONDS) : DEFAULT_SKEW_SECONDS;
  const offset = ctx.clockOffsetMs;
  return {
    nowMs: ctx.now(),
    skewMs: skew * 1000,
    skewText: `skew allowed ${skew} s`,
    offsetMs: offset !== undefined && Number.isFinite(offset) ? offset : undefined,
  };
}

/**
 * A hint appended to a failed time check when the known clock offset explains it: a local clock
 * `ahead` of the provider's makes tokens look expired, one `behind` makes them look issued in the future.
 */
function clockNote(t: TimeContext, explainsWhenLocalIs: 'ahead' | 'behind'): string {
  const offset = t.offsetMs;
  if (offset === undefined || Math.abs(offset) < 2000) return '';
  const localIs = offset > 0 ? 'behind' : 'ahead';
  if (localIs !== explainsWhenLocalIs) return '';
  return `; this computer's clock is ${humanizeDuration(offset)} ${localIs === 'behind' ? 'behind' : 'ahead of'} the provider's (from its Date header): correct the system time`;
}

function checkAlg(header: Record<string, unknown>, ctx: JwtReportContext): { check: JwtCheck; alg: string | undefined } {
  const alg = header['alg'];
  const code: ErrorCode = 'ID_TOKEN_ALG_NOT_ALLOWED';
  if (typeof alg !== 'string') return { check: fail('alg', 'the header has no alg', code), alg: undefined };
  if (alg.toLowerCase() === 'none') {
    return { check: fail('alg', 'alg none: the token is unsigned, and unsigned tokens are never accepted', code), alg: undefined };
  }
  if (/^HS\d+$/i.test(alg)) {
    return { check: fail('alg', `alg ${alg} is a shared-secret MAC; a public client has no secret, so such a token proves nothing and is refused`, code), alg: undefined };
  }
  if (!ASYMMETRIC_JWS_ALGS.includes(alg)) {
    return { check: fail('alg', `alg ${show(alg)} is not an asymmetric signature algorithm this app verifies (${ASYMMETRIC_JWS_ALGS.join(', ')})`, code), alg: undefined };
  }
  if (ctx.allowedAlgs !== undefined && !ctx.allowedAlgs.includes(alg)) {
    const advertised = ctx.allowedAlgs.filter((a) => ASYMMETRIC_JWS_ALGS.includes(a));
    return {
      check: fail('alg', `alg ${alg} is not among the provider's id_token_signing_alg_values_supported (usable: ${advertised.length > 0 ? advertised.join(', ') : 'none'})`, code),
      alg: undefined,
    };
  }
  return {
    check: pass('alg', `${alg} is an asymmetric signature${ctx.allowedAlgs === undefined ? '' : ' advertised by the provider'}`),
    alg,
  };
}

async function checkSignature(token: string, header: Record<string, unknown>, alg: string | undefined, ctx: JwtReportContext, { compactVerify, errors }: typeof Jose): Promise<JwtCheck> {
  if (alg === undefined) return fail('signature', 'not verified: the alg is not allowed (see alg)', 'ID_TOKEN_ALG_NOT_ALLOWED');
  if (ctx.jwks === undefined) {
    return fail('signature', 'not verified: no JWKS is available (the provider publishes no jwks_uri)', 'ID_TOKEN_SIGNATURE_INVALID');
  }
  const rawKid = header['kid'];
  if (rawKid !== undefined && typeof rawKid !== 'string') return fail('signature', 'not verified: the header kid is not a string', 'ID_TOKEN_KEY_NOT_FOUND');
  const kid = rawKid;
  let match: JwksKeyMatch;
  try {
    match = await ctx.jwks.resolve({ alg, kid });
  } catch (error) {
    if (isDeskError(error)) return fail('signature', `not verified: ${error.message}`, error.code);
    throw error;
  }
  const rotated = match.refetched ? ' (refetched: the provider had rotated its keys)' : '';
  let problem: string | undefined;
  for (const key of match.keys) {
    try {
      await compactVerify(token, key, { algorithms: [alg] });
      return pass('signature', `verified with ${describeKey(kid, 1)} alg=${alg} from the provider's JWKS${rotated}`);
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      problem = error instanceof Error ? error.message : String(error);
    }
  }
  if (problem !== undefined) {
    return fail('signature', `not verified with ${describeKey(kid, match.keys.length)} alg=${alg}: ${problem}`, 'ID_TOKEN_SIGNATURE_INVALID');
  }
  return fail('signature', `does not verify with ${describeKey(kid, match.keys.length)} alg=${alg} from the provider's JWKS${rotated}: the token was altered or signed by another key`, 'ID_TOKEN_SIGNATURE_INVALID');
}

function checkTyp(header: Record<string, unknown>): JwtCheck {
  const typ = header['typ'];
  if (typ === undefined) return notApplicable('typ', 'no typ in the header (optional for ID tokens)');
  if (typeof typ !== 'string') return fail('typ', 'typ is not a string');
  const t = typ.toLowerCase().replace(/^application\//, '');
  if (t === 'jwt') return pass('typ', `typ ${show(typ)}`);
  // RFC 8725 §3.11: an explicitly typed JWT (at+jwt, logout+jwt, dpop+jwt...) is another kind of token.
  if (t.endsWith('+jwt')) return fail('typ', `typ ${show(typ)} marks another kind of token, not an ID token`);
  return pass('typ', `typ ${show(typ)} (not an explicit type of another kind of JWT)`);
}

function checkIss(claims: Record<string, unknown>, ctx: JwtReportContext): JwtCheck {
  const iss = claims['iss'];
  if (iss === undefined) return fail('iss', `no iss claim; expected ${show(ctx.issuer)}`);
  if (iss !== ctx.issuer) return fail('iss', `iss is ${show(iss)}, not the discovered issuer ${show(ctx.issuer)} (exact match required)`);
  return pass('iss', 'iss equals the discovered issuer exactly');
}

function checkSub(claims: Record<string, unknown>): JwtCheck {
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub === '') return fail('sub', sub === undefined ? 'no sub claim' : 'sub is not a non-empty string');
  return pass('sub', 'sub is present');
}

function audienceList(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.length > 0 && aud.every((a: unknown) => typeof a === 'string')) return aud as string[];
  return undefined;
}

function checkAud(claims: Record<string, unknown>, ctx: JwtReportContext): JwtCheck {
  const aud = claims['aud'];
  if (aud === undefined) return fail('aud', 'no aud claim');
  const list = audienceList(aud);
  if (list === undefined) return fail('aud', 'aud is neither a string nor a non-empty array of strings');
  if (!list.includes(ctx.audience)) {
    return fail('aud', `aud ${show(aud)} does not contain this client's id ${show(ctx.audience)}`);
  }
  return pass('aud', typeof aud === 'string' ? 'aud is the client id' : `aud (${list.length} values) contains the client id`);
}

function checkAzp(claims: Record<string, unknown>, ctx: JwtReportContext): JwtCheck {
  const expected = ctx.expectAzp ?? ctx.audience;
  const azp = claims['azp'];
  const audiences = new Set(audienceList(claims['aud']) ?? []);
  if (azp === undefined) {
    if (audiences.size > 1) return fail('azp', `aud has ${audiences.size} values, so azp is required; it is missing`);
    return notApplicable('azp', 'no azp claim (not required with a single audience)');
  }
  if (azp !== expected) return fail('azp', `azp is ${show(azp)}, not this client's id ${show(expected)}`);
  return pass('azp', 'azp equals the client id');
}

function checkExp(claims: Record<string, unknown>, t: TimeContext): JwtCheck {
  const exp = claims['exp'];
  if (exp === undefined) return fail('exp', 'no exp claim; an ID token must expire');
  if (!isNumericDate(exp)) return fail('exp', 'exp is not a NumericDate');
  const delta = exp * 1000 - t.nowMs;
  const text = delta > 0
    ? `expires ${iso(exp)}, in ${humanizeDuration(delta)} (${t.skewText})`
    : `expired ${iso(exp)}, ${humanizeDuration(delta)} ago (${t.skewText})`;
  return delta + t.skewMs > 0 ? pass('exp', text) : fail('exp', text + clockNote(t, 'ahead'));
}

function checkNbf(claims: Record<string, unknown>, t: TimeContext): JwtCheck {
  const nbf = claims['nbf'];
  if (nbf === undefined) return notApplicable('nbf', 'no nbf claim');
  if (!isNumericDate(nbf)) return fail('nbf', 'nbf is not a NumericDate');
  const delta = nbf * 1000 - t.nowMs;
  const text = delta > 0
    ? `not valid before ${iso(nbf)}, in ${humanizeDuration(delta)} (${t.skewText})`
    : `valid since ${iso(nbf)}, ${humanizeDuration(delta)} ago`;
  return delta > t.skewMs ? fail('nbf', text + clockNote(t, 'behind')) : pass('nbf', text);
}

function checkIat(claims: Record<string, unknown>, t: TimeContext): JwtCheck {
  const iat = claims['iat'];
  if (iat === undefined) return fail('iat', 'no iat claim; an ID token must say when it was issued');
  if (!isNumericDate(iat)) return fail('iat', 'iat is not a NumericDate');
  const delta = iat * 1000 - t.nowMs;
  const text = delta > 0
    ? `issued ${iso(iat)}, ${humanizeDuration(delta)} in the future (${t.skewText})`
    : `issued ${iso(iat)}, ${humanizeDuration(delta)} ago`;
  return delta > t.skewMs ? fail('iat', text + clockNote(t, 'behind')) : pass('iat', text);
}

function sameSecret(a: string, b: string): boolean {
  const ha = hash('sha256', a, 'buffer');
  const hb = hash('sha256', b, 'buffer');
  return timingSafeEqual(ha, hb);
}

function checkNonce(claims: Record<string, unknown>, ctx: JwtReportContext): JwtCheck {
  const nonce = claims['nonce'];
  // In the front channel the nonce is what ties the ID token to this sign-in: its failures say so by their code.
  const code: ErrorCode = ctx.frontChannel === undefined ? 'ID_TOKEN_INVALID' : 'ID_TOKEN_NONCE_MISMATCH';
  if (ctx.nonce === undefined) {
    if (ctx.requireNonce === true || ctx.frontChannel !== undefined) return fail('nonce', 'a nonce is required but none is known for this sign-in to compare with', code);
    return notApplicable('nonce', nonce === undefined ? 'no nonce sent, none in the token' : 'no nonce was sent in this flow; the token\'s nonce is not compared');
  }
  if (nonce === undefined) return fail('nonce', 'missing; a nonce was sent with the authorization request', code);
  if (typeof nonce !== 'string' || !sameSecret(nonce, ctx.nonce)) return fail('nonce', 'differs from the one sent with the authorization request', code);
  return pass('nonce', 'matches the one sent with the authorization request');
}

/** The left-most half of the hash (the SHA-2 of the JWS alg) of the ASCII octets of `value`, base64url: `at_hash`, `c_hash`. */
function halfHash(value: string, alg: string | undefined, base64url: typeof Jose.base64url): { readonly hash: string; readonly how: string } | undefined {
  const digest = alg === undefined ? undefined : AT_HASH_DIGEST[alg];
  if (digest === undefined) return undefined;
  const digested = createHash(digest).update(value, 'ascii').digest();
  return { hash: base64url.encode(digested.subarray(0, digested.length / 2)), how: `left half of ${digest.toUpperCase().replace('SHA', 'SHA-')}, base64url` };
}

/**
 * `c_hash`, for an ID token that came with a code from the authorization endpoint (hybrid flow): required,
 * and the hash of that code.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeValidation
 */
function checkCHash(claims: Record<string, unknown>, alg: string | undefined, code: string | undefined, base64url: typeof Jose.base64url): JwtCheck {
  const cHash = claims['c_hash'];
  if (code === undefined) return notApplicable('c_hash', 'no code came with this token to compare with');
  if (cHash === undefined) return fail('c_hash', 'missing; it is required when a code comes with the ID token from the authorization endpoint', 'ID_TOKEN_C_HASH_MISSING');
  if (typeof cHash !== 'string') return fail('c_hash', 'c_hash is not a string', 'ID_TOKEN_C_HASH_MISMATCH');
  const expected = halfHash(code, alg, base64url);
  if (expected === undefined) return fail('c_hash', 'not computed: the alg is not allowed (see alg)', 'ID_TOKEN_ALG_NOT_ALLOWED');
  return cHash === expected.hash
    ? pass('c_hash', `matches the code received with it (${expected.how})`)
    : fail('c_hash', `does not match the code received with it (${expected.how})`, 'ID_TOKEN_C_HASH_MISMATCH');
}

function checkAtHash(claims: Record<string, unknown>, alg: string | undefined, ctx: JwtReportContext, base64url: typeof Jose.base64url): JwtCheck {
  const atHash = claims['at_hash'];
  // From the authorization endpoint, at_hash is what binds an access token to the ID token (OIDC Core §3.2.2.10).
  if (ctx.frontChannel !== undefined && ctx.accessToken !== undefined) {
    if (atHash === undefined) return fail('at_hash', 'missing; it is required when an access token comes with the ID token from the authorization endpoint', 'ID_TOKEN_AT_HASH_MISSING');
    if (typeof atHash !== 'string') return fail('at_hash', 'at_hash is not a string', 'ID_TOKEN_AT_HASH_MISMATCH');
    const expected = halfHash(ctx.accessToken, alg, base64url);
    if (expected === undefined) return fail('at_hash', 'not computed: the alg is not allowed (see alg)', 'ID_TOKEN_ALG_NOT_ALLOWED');
    return atHash === expected.hash
      ? pass('at_hash', `matches the access token received with it (${expected.how})`)
      : fail('at_hash', `does not match the access token received with it (${expected.how})`, 'ID_TOKEN_AT_HASH_MISMATCH');
  }
  if (atHash === undefined) return notApplicable('at_hash', 'no at_hash claim (optional in the code flow)');
  if (typeof atHash !== 'string') return fail('at_hash', 'at_hash is not a string');
  if (ctx.accessToken === undefined) return notApplicable('at_hash', 'no access token given to compare with');
  const digest = alg === undefined ? undefined : AT_HASH_DIGEST[alg];
  if (digest === undefined) return notApplicable('at_hash', 'not computed: the alg is not allowed (see alg)');
  const digested = createHash(digest).update(ctx.accessToken, 'ascii').digest();
  const expected = base64url.encode(digested.subarray(0, digested.length / 2));
  const how = `left half of ${digest.toUpperCase().replace('SHA', 'SHA-')}, base64url`;
  return atHash === expected
    ? pass('at_hash', `matches the access token (${how})`)
    : fail('at_hash', `does not match the access token received with it (${how})`);
}

/** The earliest `auth_time` taken at face value (2000-01-01): an earlier one is a placeholder, not a sign-in time. */
const EARLIEST_PLAUSIBLE_AUTH_TIME = 946_684_800;

/** Why an `auth_time` cannot be a real sign-in time (0, before 2000, or in the future), or undefined when it can. */
function implausibleAuthTime(authTime: number, t: TimeContext): string | undefined {
  if (authTime === 0) return 'auth_time is 0: the provider does not record when the user signed in';
  if (authTime < EARLIEST_PLAUSIBLE_AUTH_TIME) return `auth_time ${authTime} (${iso(authTime)}) is before 2000: not a real sign-in time`;
  if (authTime * 1000 > t.nowMs + t.skewMs) return `auth_time ${iso(authTime)} is in the future (${t.skewText}): the provider's clock or the claim is wrong`;
  return undefined;
}

function checkAuthTime(claims: Record<string, unknown>, ctx: JwtReportContext, t: TimeContext): JwtCheck {
  const authTime = claims['auth_time'];
  const maxAge = ctx.maxAgeSeconds;
  if (authTime !== undefined && !isNumericDate(authTime)) return fail('auth_time', 'auth_time is not a NumericDate');
  const implausible = authTime === undefined ? undefined : implausibleAuthTime(authTime, t);
  if (maxAge === undefined || !Number.isFinite(maxAge) || maxAge < 0) {
    if (implausible !== undefined) return warn('auth_time', `${implausible} (no max_age requested)`);
    return notApplicable('auth_time', authTime === undefined ? 'no auth_time claim; none required' : `signed in ${iso(authTime)} (no max_age requested)`);
  }
  if (authTime === undefined) return fail('auth_time', `no auth_time claim, required because max_age=${maxAge} was requested`);
  if (implausible !== undefined) return fail('auth_time', `${implausible}; max_age=${maxAge} was requested`);
  const age = t.nowMs - authTime * 1000;
  const text = `signed in ${iso(authTime)}, ${humanizeDuration(age)} ${age >= 0 ? 'ago' : 'in the future'}; max_age is ${maxAge} s (${t.skewText})`;
  return age > maxAge * 1000 + t.skewMs ? fail('auth_time', text + clockNote(t, 'ahead')) : pass('auth_time', text);
}

/**
 * A stored report (made when the token was received, `receivedAt`) with its time checks made again at
 * `now`, so it shows the token as it is now. An ID token that has expired since it passed on receipt is a
 * warning, not a failure: it still proves the sign-in, and not every provider sends a new one on refresh.
 */
export function reportAt(report: Extract<JwtReport, { kind: 'jwt' }>, ctx: { readonly now: () => number; readonly receivedAt: number; readonly skewSeconds?: number; readonly clockOffsetMs?: number | undefined }): Extract<JwtReport, { kind: 'jwt' }> {
  const t = timeContext({ issuer: '', audience: '', now: ctx.now, skewSeconds: ctx.skewSeconds, clockOffsetMs: ctx.clockOffsetMs });
  const passedOnReceipt = report.checks.some((c) => c.id === 'exp' && c.result === 'pass');
  const checks = report.checks.map((c) => {
    if (c.id === 'nbf') return checkNbf(report.claims, t);
    if (c.id === 'iat') return checkIat(report.claims, t);
    if (c.id !== 'exp') return c;
    const now = checkExp(report.claims, t);
    if (now.result !== 'fail' || !passedOnReceipt) return now;
    return warn('exp', `${now.detail}; it was valid when received ${iso(Math.floor(ctx.receivedAt / 1000))} (the sign-in it proves stands; some providers send no new ID token on refresh)`);
  });
  return { ...report, checks, valid: checks.every((c) => c.result !== 'fail') };
}

/**
 * Builds the verification report of a token. Never throws for a bad token: every problem is a failed
 * check (JWKS fetch problems included, with their code). A token that is not a 3-part compact JWS with
 * JSON header and claims is `opaque`; a 5-part JWE is `opaque` and `encrypted`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-7.1
 * @see https://www.rfc-editor.org/rfc/rfc8725
 */
export async function buildJwtReport(token: string, ctx: JwtReportContext): Promise<JwtReport> {
  const decoded = decodeJwt(token);
  if (decoded === undefined) return tokenFormat(token) === 'jwe' ? { kind: 'opaque', length: token.length, encrypted: true } : { kind: 'opaque', length: token.length };
  const { header, claims } = decoded;
  const jose = await loadJose();

  const t = timeContext(ctx);
  const { check: algCheck, alg } = checkAlg(header, ctx);
  const checks: JwtCheck[] = [
    algCheck,
    await checkSignature(token, header, alg, ctx, jose),
    checkTyp(header),
    checkIss(claims, ctx),
    checkSub(claims),
    checkAud(claims, ctx),
    checkAzp(claims, ctx),
    checkExp(claims, t),
    checkNbf(claims, t),
    checkIat(claims, t),
    checkNonce(claims, ctx),
    checkAtHash(claims, alg, ctx, jose.base64url),
    checkAuthTime(claims, ctx, t),
    // Only in the report of an ID token from the front channel: code-flow reports keep their rows (Glewlwyd's carry c_hash).
    ...(ctx.frontChannel === undefined ? [] : [checkCHash(claims, alg, ctx.frontChannel.code, jose.base64url)]),
  ];
  return {
    kind: 'jwt',
    header,
    claims,
    checks,
    valid: checks.every((c) => c.result !== 'fail'),
    ...(ctx.clockOffsetMs === undefined ? {} : { clockOffsetMs: ctx.clockOffsetMs }),
  };
}

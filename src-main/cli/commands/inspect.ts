/** `oidc-desk inspect <session|jwt>`: the per-check verification report of a session's ID token, or of a JWT given on the command line (verified against its issuer's JWKS when a profile has that issuer). */
import type { SessionView } from '../../core/contract.ts';
import { DeskError } from '../../core/errors.ts';
import { decodeJwt } from '../../core/oauth/jwt-decode.ts';
import { buildJwtReport, type JwtCheck, type JwtReport } from '../../core/oauth/jwt-report.ts';
import { CLOCK_SKEW_SECONDS } from '../../core/oauth/provider-context.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { ensureDemoForSession } from '../demo.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { isoTime, maskClaims, relativeTime, safeText } from '../output.ts';
import { table } from '../views.ts';

type JwtKindReport = Extract<JwtReport, { kind: 'jwt' }>;

/** What `inspect` shows: the report and what it was checked against. */
export interface Inspection {
  readonly source: 'session' | 'jwt';
  readonly session: string | null;
  /** The account: the session's subject, or a JWT's `sub` claim; null when the JWT has none. */
  readonly subject: string | null;
  readonly profile: string | null;
  /** The issuer the token was checked against; null when no profile has the token's issuer. */
  readonly issuer: string | null;
  readonly report: JwtKindReport;
}

/** True when the signature check passed (verified with a key from the provider's JWKS). */
export function signatureVerified(report: JwtKindReport): boolean {
  return report.checks.some((c) => c.id === 'signature' && c.result === 'pass');
}

/** The `inspect --json` document (documented in docs/cli.md); the nonce claim is masked. */
export function inspectionJson(inspection: Inspection): Record<string, unknown> {
  const { report } = inspection;
  return {
    source: inspection.source,
    session: inspection.session,
    subject: inspection.subject,
    profile: inspection.profile,
    issuer: inspection.issuer,
    kind: report.kind,
    valid: report.valid,
    signatureVerified: signatureVerified(report),
    header: report.header,
    claims: maskClaims(report.claims),
    checks: report.checks.map((c) => ({ id: c.id, result: c.result, detail: c.detail, ...(c.code === undefined ? {} : { code: c.code }) })),
    ...(report.clockOffsetMs === undefined ? {} : { clockOffsetMs: report.clockOffsetMs }),
  };
}

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);
const RESULT_TEXT = { pass: 'pass', fail: 'FAIL', warn: 'WARN', 'not-applicable': 'n/a' } as const;

/** The text report: verdict, header, claims (times readable, nonce masked), one line per check. */
export function renderInspection(inspection: Inspection, now: number): string[] {
  const { report } = inspection;
  const lines: string[] = [];
  const verified = signatureVerified(report);
  const verdict = !report.valid ? 'INVALID: at least one check failed' : verified ? 'VALID: every check passed, signature verified' : 'UNVERIFIED: no check failed, but the signature was not verified';
  if (inspection.source === 'session') {
    lines.push(`ID token of session ${safeText(inspection.session ?? '?', 80)} (profile "${safeText(inspection.profile ?? '?', 80)}", issuer ${safeText(inspection.issuer ?? '?')})`);
  } else {
    lines.push(inspection.profile === null
      ? 'JWT (its issuer matches no profile: checked for form and time only)'
      : `JWT checked against profile "${inspection.profile}" (issuer ${safeText(inspection.issuer ?? '?')})`);
  }
  lines.push(verdict, '', 'Header:');
  lines.push(...table(Object.entries(report.header).map(([k, v]) => [`  ${safeText(k, 40)}`, safeText(v, 200)])));
  lines.push('', 'Claims:');
  lines.push(...table(Object.entries(maskClaims(report.claims)).map(([k, v]) => {
    const when = TIME_CLAIMS.has(k) && typeof v === 'number' && Number.isFinite(v) ? ` (${isoTime(v * 1000) ?? '?'}, ${relativeTime(v * 1000, now)})` : '';
    return [`  ${safeText(k, 40)}`, `${safeText(v, 300)}${when}`];
  })));
  lines.push('', `Checks (clock leeway ${CLOCK_SKEW_SECONDS} s):`);
  lines.push(...table(report.checks.map((c) => [`  ${RESULT_TEXT[c.result]}`, c.id, safeText(c.detail, 400)])));
  return lines;
}

/** True when `value` has the form of a compact JWS/JWE (dot-separated base64url parts). */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2,4}$/.test(value);
}

function notApplicable(check: JwtCheck, detail: string): JwtCheck {
  return { id: check.id, result: 'not-applicable', detail };
}

async function inspectSession(ctx: CliContext, id: string): Promise<Inspection> {
  const service = await ctx.service();
  await ensureDemoForSession(ctx, service.view(id));
  // This process holds no tokens yet: this refreshes, and the new ID token is verified on receipt.
  await service.idToken(id);
  const view: SessionView = service.view(id);
  const report = view.idToken?.report;
  if (report === undefined || report.kind !== 'jwt') throw new DeskError('JWT_MALFORMED', 'The session\'s ID token has no verification report.');
  return { source: 'session', session: view.id, subject: view.subject, profile: view.profile, issuer: view.issuer, report };
}

async function inspectJwt(ctx: CliContext, token: string): Promise<Inspection> {
  const service = await ctx.service();
  const claims = decodeJwt(token)?.claims;
  const iss = claims?.['iss'];
  const aud = claims?.['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  const candidates = typeof iss === 'string' ? (await service.profiles.list()).filter((p) => p.issuer === iss) : [];
  const profile = candidates.find((p) => audiences.includes(p.clientId)) ?? candidates[0];
  let report: JwtReport;
  if (profile !== undefined) {
    const provider = await service.providers.get(profile);
    report = await buildJwtReport(token, {
      issuer: provider.issuer,
      audience: profile.clientId,
      jwks: provider.jwks,
      allowedAlgs: provider.metadata.id_token_signing_alg_values_supported,
      now: ctx.now,
      skewSeconds: CLOCK_SKEW_SECONDS,
    });
  } else {
    // Nothing to verify against: form, alg and time only; issuer, audience and signature said plainly unchecked.
    const unchecked = await buildJwtReport(token, { issuer: typeof iss === 'string' ? iss : '', audience: audiences[0] ?? '', now: ctx.now, skewSeconds: CLOCK_SKEW_SECONDS });
    report = unchecked;
    if (unchecked.kind === 'jwt') {
      const why = typeof iss === 'string' ? `no profile has the issuer ${safeText(iss, 120)}` : 'the token has no iss claim';
      const algFailed = unchecked.checks.some((a) => a.id === 'alg' && a.result === 'fail');
      const checks = unchecked.checks.map((c) => {
        if (c.id === 'signature' && !algFailed) {
          return notApplicable(c, `not verified: ${why}; add a profile for this issuer to verify the signature against its JWKS`);
        }
        if (c.id === 'iss' && typeof iss === 'string') return notApplicable(c, `not compared: ${why}`);
        if (c.id === 'aud' || c.id === 'azp') return notApplicable(c, `not compared: ${why}, so there is no client id to expect`);
        return c;
      });
      report = { ...unchecked, checks, valid: checks.every((c) => c.result !== 'fail') };
    }
  }
  if (report.kind !== 'jwt') {
    throw new DeskError('JWT_MALFORMED', report.encrypted === true
      ? 'The token is encrypted (JWE); only signed JWTs can be inspected.'
      : 'The argument is neither a session id nor a signed JWT (three base64url parts with a JSON header and JSON claims).');
  }
  const sub = report.claims['sub'];
  return { source: 'jwt', session: null, subject: typeof sub === 'string' ? sub : null, profile: profile?.name ?? null, issuer: profile?.issuer ?? null, report };
}

export async function inspect(ctx: CliContext, cmd: Extract<Command, { kind: 'inspect' }>): Promise<ExitCode> {
  const service = await ctx.service();
  let inspection: Inspection;
  if (service.list().some((s) => s.id === cmd.target)) inspection = await inspectSession(ctx, cmd.target);
  else if (looksLikeJwt(cmd.target)) inspection = await inspectJwt(ctx, cmd.target);
  // The argument is not echoed: it may be a pasted token.
  else throw new DeskError('SESSION_NOT_FOUND', 'The argument is neither a session id nor a JWT. List sessions with "oidc-desk sessions".');
  return printInspection(ctx, inspection, cmd.json);
}

/** Prints an inspection; exit 3 with the first failed check's code on stderr when a check failed. */
export function printInspection(ctx: CliContext, inspection: Inspection, json: boolean): ExitCode {
  if (json) ctx.out.json(inspectionJson(inspection));
  else for (const line of renderInspection(inspection, ctx.now())) ctx.out.data(line);
  const failed = inspection.report.checks.filter((c) => c.result === 'fail');
  const first = failed[0];
  if (first === undefined) return EXIT.OK;
  ctx.out.error(new DeskError(first.code ?? 'ID_TOKEN_INVALID', `The token failed ${failed.length} check${failed.length === 1 ? '' : 's'}: ${failed.map((c) => c.id).join(', ')}.`));
  return EXIT.PROTOCOL;
}

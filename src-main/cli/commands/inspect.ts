/** `oidc-desk inspect <session|jwt>`: the per-check verification report of a session's ID token, or of a JWT given on the command line (verified against its issuer's JWKS when a profile has that issuer). */
import type { JwtInspection } from '../../core/contract.ts';
import { DeskError } from '../../core/errors.ts';
import { CLOCK_SKEW_SECONDS } from '../../core/oauth/provider-context.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { maskClaims } from '../../core/session/views.ts';
import { isoTime, relativeTime, safeText } from '../output.ts';
import { tokenSourcesText } from '../legacy-flows.ts';
import { table } from '../views.ts';

type JwtKindReport = JwtInspection['report'];

/** True when the signature check passed (verified with a key from the provider's JWKS). */
export function signatureVerified(report: JwtKindReport): boolean {
  return report.checks.some((c) => c.id === 'signature' && c.result === 'pass');
}

/** The `inspect --json` document (documented in docs/cli.md); the nonce claim is masked. */
export function inspectionJson(inspection: JwtInspection): Record<string, unknown> {
  const { report } = inspection;
  return {
    source: inspection.source,
    session: inspection.sessionId,
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
export function renderInspection(inspection: JwtInspection, now: number): string[] {
  const { report } = inspection;
  const lines: string[] = [];
  const verified = signatureVerified(report);
  const verdict = !report.valid ? 'INVALID: at least one check failed' : verified ? 'VALID: every check passed, signature verified' : 'UNVERIFIED: no check failed, but the signature was not verified';
  if (inspection.source === 'session') {
    lines.push(`ID token of session ${safeText(inspection.sessionId ?? '?', 80)} (profile "${safeText(inspection.profile ?? '?', 80)}", issuer ${safeText(inspection.issuer ?? '?')})`);
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

export async function inspect(ctx: CliContext, cmd: Extract<Command, { kind: 'inspect' }>): Promise<ExitCode> {
  const api = await ctx.api();
  const session = await api.getSession({ sessionId: cmd.target });
  let inspection: JwtInspection;
  if (session.ok) {
    inspection = await ctx.call(api.inspectJwt({ sessionId: session.value.id }));
    if (session.value.legacy !== undefined) ctx.out.info(tokenSourcesText(session.value.legacy));
  } else if (looksLikeJwt(cmd.target)) {
    inspection = await ctx.call(api.inspectJwt({ token: cmd.target }));
  } else {
    // The argument is not echoed: it may be a pasted token.
    throw new DeskError('SESSION_NOT_FOUND', 'The argument is neither a session id nor a JWT. List sessions with "oidc-desk sessions".');
  }
  return printInspection(ctx, inspection, cmd.json);
}

/** Prints an inspection; exit 3 with the first failed check's code on stderr when a check failed. */
export function printInspection(ctx: CliContext, inspection: JwtInspection, json: boolean): ExitCode {
  if (json) ctx.out.json(inspectionJson(inspection));
  else for (const line of renderInspection(inspection, ctx.now())) ctx.out.data(line);
  const failed = inspection.report.checks.filter((c) => c.result === 'fail');
  const first = failed[0];
  if (first === undefined) return EXIT.OK;
  ctx.out.error(new DeskError(first.code ?? 'ID_TOKEN_INVALID', `The token failed ${failed.length} check${failed.length === 1 ? '' : 's'}: ${failed.map((c) => c.id).join(', ')}.`));
  return EXIT.PROTOCOL;
}

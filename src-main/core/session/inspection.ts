/**
 * Inspection of any JWT a user pastes: the verification report, checked against the profile whose issuer
 * (and client, when the audience names one) matches the token, or for form and time only when none does.
 * @module
 */
import type { JwtInspection } from '../contract.ts';
import { DeskError } from '../errors.ts';
import { buildJwtReport, type JwtCheck, type JwtReport } from '../oauth/jwt-report.ts';
import { CLOCK_SKEW_SECONDS, type ProviderDirectory } from '../oauth/provider-context.ts';
import type { Profile } from '../profile.ts';
import { maskReport } from './views.ts';

function notApplicable(check: JwtCheck, detail: string): JwtCheck {
  return { id: check.id, result: 'not-applicable', detail };
}

/** The claims of a compact JWS, decoded without any check, to find its issuer and audience. */
function peekClaims(report: JwtReport): Readonly<Record<string, unknown>> | undefined {
  return report.kind === 'jwt' ? report.claims : undefined;
}

/**
 * The report of a pasted JWT. The issuer and audience it claims only choose which profile to check it
 * against; every check then runs for real (signature from that provider's JWKS). With no matching
 * profile, the signature, issuer and audience are reported as not checked, never as passed.
 * @throws DeskError `JWT_MALFORMED` for anything that is not a signed JWT (an encrypted one included)
 */
export async function inspectPastedJwt(token: string, deps: {
  readonly profiles: readonly Profile[];
  readonly providers: ProviderDirectory;
  readonly now: () => number;
}): Promise<JwtInspection> {
  const unchecked = await buildJwtReport(token, { issuer: '', audience: '', now: deps.now, skewSeconds: CLOCK_SKEW_SECONDS });
  if (unchecked.kind !== 'jwt') {
    throw new DeskError('JWT_MALFORMED', unchecked.encrypted === true
      ? 'The token is encrypted (JWE); only signed JWTs can be inspected.'
      : 'That is not a signed JWT (three base64url parts with a JSON header and JSON claims).');
  }
  const claims = peekClaims(unchecked) ?? {};
  const iss = claims['iss'];
  const aud = claims['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  const candidates = typeof iss === 'string' ? deps.profiles.filter((p) => p.issuer === iss) : [];
  const profile = candidates.find((p) => audiences.includes(p.clientId)) ?? candidates[0];
  let report: JwtReport;
  if (profile !== undefined) {
    const provider = await deps.providers.get(profile);
    report = await buildJwtReport(token, {
      issuer: provider.issuer,
      audience: profile.clientId,
      jwks: provider.jwks,
      allowedAlgs: provider.metadata.id_token_signing_alg_values_supported,
      now: deps.now,
      skewSeconds: CLOCK_SKEW_SECONDS,
    });
  } else {
    // Nothing to verify against: form, alg and time only; issuer, audience and signature said plainly unchecked.
    const base = await buildJwtReport(token, { issuer: typeof iss === 'string' ? iss : '', audience: audiences[0] ?? '', now: deps.now, skewSeconds: CLOCK_SKEW_SECONDS });
    report = base;
    if (base.kind === 'jwt') {
      const why = typeof iss === 'string' ? 'no profile has the token\'s issuer' : 'the token has no iss claim';
      const algFailed = base.checks.some((a) => a.id === 'alg' && a.result === 'fail');
      const checks = base.checks.map((c) => {
        if (c.id === 'signature' && !algFailed) return notApplicable(c, `not verified: ${why}; add a profile for this issuer to verify the signature against its JWKS`);
        if (c.id === 'iss' && typeof iss === 'string') return notApplicable(c, `not compared: ${why}`);
        if (c.id === 'aud' || c.id === 'azp') return notApplicable(c, `not compared: ${why}, so there is no client id to expect`);
        return c;
      });
      report = { ...base, checks, valid: checks.every((c) => c.result !== 'fail') };
    }
  }
  const masked = maskReport(report);
  if (masked?.kind !== 'jwt') throw new DeskError('JWT_MALFORMED', 'That is not a signed JWT.');
  const sub = masked.claims['sub'];
  return { source: 'jwt', sessionId: null, subject: typeof sub === 'string' ? sub : null, profile: profile?.name ?? null, issuer: profile?.issuer ?? null, report: masked };
}

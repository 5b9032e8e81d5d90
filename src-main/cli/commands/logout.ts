/** `oidc-desk logout <session>`: the keychain entry and the session go first, then the tokens are revoked at the provider (RFC 7009) unless --no-revoke. */
import { isDeskError } from '../../core/errors.ts';
import type { SignOutResult } from '../../core/session/session-service.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { ensureDemoForSession } from '../demo.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { safeText } from '../output.ts';

export async function logout(ctx: CliContext, cmd: Extract<Command, { kind: 'logout' }>): Promise<ExitCode> {
  const service = await ctx.service();
  const view = service.view(cmd.session);
  if (cmd.revoke) await ensureDemoForSession(ctx, view).catch(() => undefined);
  let result: SignOutResult;
  try {
    result = await service.signOut(cmd.session, { revoke: cmd.revoke });
  } catch (error) {
    // Signed out locally but the provider refused the revocation: the session is gone; say so, exit 0.
    await service.reload();
    if (service.list().some((s) => s.id === cmd.session)) throw error;
    const why = isDeskError(error) ? `${error.code}: ${safeText(error.message, 300)}` : 'unknown error';
    ctx.out.warn(`Signed out of ${safeText(cmd.session, 80)} here, but the provider did not accept the revocation (${why}).`);
    return EXIT.OK;
  }
  if (result.revocationError !== undefined) {
    const refused = result.revocationError;
    ctx.out.warn(`Signed out of ${safeText(cmd.session, 80)} here, but the provider did not accept the revocation (${refused.code}: ${safeText(refused.message, 300)}).`);
  } else if (result.revocationPending) {
    ctx.out.info(`Signed out of ${safeText(cmd.session, 80)}. Revocation pending: the provider could not be reached; the refresh token waits in the OS keychain and the next "oidc-desk logout" (or the desktop app) retries the revocation.`);
  } else if (result.revoked) {
    ctx.out.info(`Signed out of ${safeText(cmd.session, 80)}; its tokens were revoked at the provider.`);
  } else {
    ctx.out.info(`Signed out of ${safeText(cmd.session, 80)}${cmd.revoke ? ' (there was no token to revoke)' : '; nothing was revoked (--no-revoke)'}.`);
  }
  // Revocations still owed from earlier sign-outs: one attempt now.
  if (cmd.revoke && !result.revocationPending) {
    const owed = await service.retryRevocations().catch(() => undefined);
    if (owed !== undefined && owed > 0) ctx.out.info(`${owed} earlier revocation${owed === 1 ? ' is' : 's are'} still pending.`);
  }
  return EXIT.OK;
}

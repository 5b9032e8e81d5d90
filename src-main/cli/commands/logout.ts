/** `oidc-desk logout <session>`: the keychain entry and the session go first, then the tokens are revoked at the provider (RFC 7009) unless --no-revoke. */
import { isDeskError } from '../../core/errors.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { ensureDemoForSession } from '../demo.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { safeText } from '../output.ts';

export async function logout(ctx: CliContext, cmd: Extract<Command, { kind: 'logout' }>): Promise<ExitCode> {
  const service = await ctx.service();
  const view = service.view(cmd.session);
  let revoke = cmd.revoke;
  if (revoke) {
    await ensureDemoForSession(ctx, view).catch((error: unknown) => {
      // The demo session's issuer is not its demo provider any more: its tokens must not go there.
      if (!isDeskError(error, 'DEMO_PORT_TAKEN') && !isDeskError(error, 'SIGN_IN_NEEDED')) return;
      revoke = false;
      ctx.out.warn(`The tokens of ${cmd.session} are not revoked at the provider: ${safeText(error.message, 600)}`);
    });
  }
  let result: { revoked: boolean; revocationPending: boolean };
  try {
    result = await service.signOut(cmd.session, { revoke });
  } catch (error) {
    // Signed out locally but the provider refused the revocation: the session is gone; say so, exit 0.
    await service.reload();
    if (service.list().some((s) => s.id === cmd.session)) throw error;
    const why = isDeskError(error) ? `${error.code}: ${safeText(error.message, 300)}` : 'unknown error';
    ctx.out.warn(`Signed out of ${cmd.session} here, but the provider did not accept the revocation (${why}).`);
    return EXIT.OK;
  }
  if (result.revocationPending) {
    ctx.out.info(`Signed out of ${cmd.session}. Revocation pending: the provider could not be reached; the refresh token waits in the OS keychain and the next "oidc-desk logout" (or the desktop app) retries the revocation.`);
  } else if (result.revoked) {
    ctx.out.info(`Signed out of ${cmd.session}; its tokens were revoked at the provider.`);
  } else {
    ctx.out.info(`Signed out of ${cmd.session}${!cmd.revoke ? '; nothing was revoked (--no-revoke)' : revoke ? ' (there was no token to revoke)' : ' here only (see the warning above)'}.`);
  }
  // Revocations still owed from earlier sign-outs: one attempt now.
  if (revoke && !result.revocationPending) {
    const owed = await service.retryRevocations().catch(() => undefined);
    if (owed !== undefined && owed > 0) ctx.out.info(`${owed} earlier revocation${owed === 1 ? ' is' : 's are'} still pending.`);
  }
  return EXIT.OK;
}

/** `oidc-desk logout <session>`: the keychain entry, the cached tokens and the session go first, then the tokens are revoked at the provider (RFC 7009) unless --no-revoke. */
import { isDeskError } from '../../core/errors.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { ensureDemoForSession } from '../demo.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { safeText } from '../output.ts';

export async function logout(ctx: CliContext, cmd: Extract<Command, { kind: 'logout' }>): Promise<ExitCode> {
  const service = await ctx.service();
  const view = service.view(cmd.session);
  // The id comes from the index, a file another program could have written.
  const shown = safeText(view.id, 80);
  let revoke = cmd.revoke;
  if (revoke) {
    await ensureDemoForSession(ctx, view).catch((error: unknown) => {
      // The demo session's issuer is not its demo provider any more: its tokens must not go there.
      if (!isDeskError(error, 'DEMO_PORT_TAKEN') && !isDeskError(error, 'SIGN_IN_NEEDED')) return;
      revoke = false;
      ctx.out.warn(`The tokens of ${shown} are not revoked at the provider: ${safeText(error.message, 600)}`);
    });
  }
  const result = await service.signOut(view.id, { revoke });
  if (result.revocationError !== undefined) {
    const e = result.revocationError;
    const what = result.tokens.refresh === 'refused' && result.tokens.access === 'refused' ? 'its tokens' : result.tokens.refresh === 'refused' ? 'its refresh token' : 'its access token';
    ctx.out.warn(`Signed out of ${shown} here, but ${what} could not be revoked: ${e.code}${e.status === undefined ? '' : ` (HTTP ${e.status})`}: ${safeText(e.message, 300)}${e.oauthErrorDescription === undefined ? '' : ` The provider said: ${safeText(e.oauthErrorDescription, 300)}`}`);
    ctx.out.warn('The token may still be valid at the provider until it expires; revoke the grant there (the provider\'s admin or account page) if it must stop working now.');
  }
  if (result.revocationPending) {
    ctx.out.info(`Signed out of ${shown}. Revocation pending: the provider could not be reached; the refresh token waits in the OS keychain and the next "oidc-desk logout" (or the desktop app) retries the revocation.`);
  } else if (result.revoked) {
    ctx.out.info(`Signed out of ${shown}; its tokens were revoked at the provider.`);
  } else if (result.revocationError === undefined) {
    ctx.out.info(`Signed out of ${shown}${!cmd.revoke ? '; nothing was revoked (--no-revoke)' : revoke ? ' (there was no token to revoke)' : ' here only (see the warning above)'}.`);
  }
  // Revocations still owed from earlier sign-outs: one attempt now.
  if (revoke && !result.revocationPending) {
    const owed = await service.retryRevocations().catch(() => undefined);
    if (owed !== undefined && owed.pending > 0) ctx.out.info(`${owed.pending} earlier revocation${owed.pending === 1 ? ' is' : 's are'} still pending.`);
    for (const problem of owed?.problems ?? []) ctx.out.warn(`${problem.code}: ${safeText(problem.message, 300)}`);
  }
  return EXIT.OK;
}

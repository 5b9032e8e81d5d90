/** `oidc-desk logout <session>`: the keychain entry, the cached tokens and the session go first, then the tokens are revoked at the provider (RFC 7009) unless --no-revoke. */
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { safeText } from '../output.ts';

export async function logout(ctx: CliContext, cmd: Extract<Command, { kind: 'logout' }>): Promise<ExitCode> {
  const api = await ctx.api();
  const view = await ctx.call(api.getSession({ sessionId: cmd.session }));
  // The id comes from the index, a file another program could have written.
  const shown = safeText(view.id, 80);
  // A demo session's tokens go to its demo provider only once it proved itself (the CLI's beforeSend): else the
  // revocation is refused (SIGN_IN_NEEDED, reported below) or kept for later (DEMO_PORT_TAKEN, pending).
  const result = await ctx.call(api.signOut({ sessionId: view.id, revoke: cmd.revoke }));
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
    ctx.out.info(`Signed out of ${shown}${cmd.revoke ? ' (there was no token to revoke)' : '; nothing was revoked (--no-revoke)'}.`);
  }
  // Revocations still owed from earlier sign-outs were tried once more.
  const owed = result.earlierRevocations;
  if (owed !== undefined && owed.pending > 0) ctx.out.info(`${owed.pending} earlier revocation${owed.pending === 1 ? ' is' : 's are'} still pending.`);
  for (const problem of owed?.problems ?? []) ctx.out.warn(`${problem.code}: ${safeText(problem.message, 300)}`);
  return EXIT.OK;
}

/** `oidc-desk refresh <session>`: a refresh now (rotation: the new refresh token reaches the keychain first; a new ID token is verified and must keep its identity). */
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { isoTime, relativeTime, safeText } from '../output.ts';
import { dpopText } from '../par-dpop.ts';
import { sessionJson } from '../views.ts';

export async function refresh(ctx: CliContext, cmd: Extract<Command, { kind: 'refresh' }>): Promise<ExitCode> {
  const api = await ctx.api();
  const before = ctx.now();
  const view = await ctx.call(api.refreshSession({ sessionId: cmd.session }));
  if (cmd.json) {
    ctx.out.json(sessionJson(view));
    return EXIT.OK;
  }
  const expiry = view.expiresAt === undefined ? 'no expiry given' : `expires ${isoTime(view.expiresAt) ?? '?'} (${relativeTime(view.expiresAt, ctx.now())})`;
  const idToken = view.idToken === undefined ? 'no ID token'
    : view.idToken.receivedAt >= before ? 'new ID token verified, same identity (OIDC Core §12.2)'
    : 'the ID token of the sign-in is kept (the provider sent none with this refresh)';
  ctx.out.data(`Refreshed ${safeText(view.id, 80)}: new access token ${expiry}; ${idToken}.`);
  const dpop = dpopText(view);
  if (dpop !== undefined) ctx.out.info(dpop);
  return EXIT.OK;
}

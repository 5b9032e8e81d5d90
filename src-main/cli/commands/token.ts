/** `oidc-desk token <session>`: prints only the access or ID token, from the shared token cache while it has at least `--min-valid` seconds (default 60) left, else after a refresh; never a refresh token. */
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { isoTime, safeText } from '../output.ts';
import { dpopTokenNote } from '../par-dpop.ts';

export async function token(ctx: CliContext, cmd: Extract<Command, { kind: 'token' }>): Promise<ExitCode> {
  const api = await ctx.api();
  const view = await ctx.call(api.getSession({ sessionId: cmd.session }));
  // A refresh that fails throws before anything is printed: nothing from a rejected response reaches stdout.
  const token = await ctx.call(api.revealToken({ sessionId: view.id, type: cmd.type, ...(cmd.minValidSeconds === undefined ? {} : { minValiditySeconds: cmd.minValidSeconds }) }));
  if (cmd.type === 'id' && token.expiresAt !== undefined && token.expiresAt <= ctx.now()) {
    ctx.out.warn(`This ID token expired ${isoTime(token.expiresAt) ?? ''}: the provider sent no new one on refresh. It still says who signed in; sign in again for a fresh one.`);
  }
  const dpop = cmd.type === 'access' ? dpopTokenNote(view) : undefined;
  if (dpop !== undefined) ctx.out.info(dpop);
  if (!cmd.json) {
    ctx.out.data(safeText(token.value, Number.POSITIVE_INFINITY));
    return EXIT.OK;
  }
  ctx.out.json({ session: view.id, subject: view.subject, type: cmd.type, token: token.value, expiresAt: isoTime(token.expiresAt) });
  return EXIT.OK;
}

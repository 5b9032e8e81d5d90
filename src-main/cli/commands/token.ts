/** `oidc-desk token <session>`: prints only the access or ID token, from the shared token cache while it has at least `--min-valid` seconds (default 60) left, else after a refresh; never a refresh token. */
import { MIN_ACCESS_TOKEN_VALIDITY_S } from '../../core/session/session-service.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { ensureDemoForSession } from '../demo.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { isoTime, safeText } from '../output.ts';

export async function token(ctx: CliContext, cmd: Extract<Command, { kind: 'token' }>): Promise<ExitCode> {
  const service = await ctx.service();
  await ensureDemoForSession(ctx, service.view(cmd.session));
  // A refresh that fails throws before anything is printed: nothing from a rejected response reaches stdout.
  const value = cmd.type === 'access'
    ? await service.accessToken(cmd.session, cmd.minValidSeconds ?? MIN_ACCESS_TOKEN_VALIDITY_S)
    : await service.idToken(cmd.session);
  if (!cmd.json) {
    ctx.out.data(safeText(value, Number.POSITIVE_INFINITY));
    return EXIT.OK;
  }
  const view = service.view(cmd.session);
  const exp = view.idToken?.claims['exp'];
  const expiresAt = cmd.type === 'access' ? view.expiresAt : typeof exp === 'number' ? exp * 1000 : undefined;
  ctx.out.json({ session: view.id, subject: view.subject, type: cmd.type, token: value, expiresAt: isoTime(expiresAt) });
  return EXIT.OK;
}

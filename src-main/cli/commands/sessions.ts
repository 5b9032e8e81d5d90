/** `oidc-desk sessions`: the sessions of the data directory, from the index alone (no network, no keychain). */
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { SESSION_TABLE_HEADER, sessionJson, sessionRow, table } from '../views.ts';

export async function sessions(ctx: CliContext, cmd: Extract<Command, { kind: 'sessions' }>): Promise<ExitCode> {
  const list = await ctx.call((await ctx.api()).listSessions());
  if (cmd.json) {
    ctx.out.json(list.map(sessionJson));
    return EXIT.OK;
  }
  if (list.length === 0) {
    ctx.out.info('No sessions. Sign in with "oidc-desk login <profile>" (or "oidc-desk login demo").');
    return EXIT.OK;
  }
  const now = ctx.now();
  for (const line of table([[...SESSION_TABLE_HEADER], ...list.map((v) => sessionRow(v, now))])) ctx.out.data(line);
  return EXIT.OK;
}

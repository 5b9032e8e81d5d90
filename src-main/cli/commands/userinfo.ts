/** `oidc-desk userinfo <session>`: the userinfo claims (their `sub` must be the session's) beside the ID token's. */
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { safeText } from '../output.ts';
import { table } from '../views.ts';

const RELATION_TEXT = {
  same: 'same in the ID token',
  'only-userinfo': 'not in the ID token',
  'only-id-token': 'only in the ID token',
  different: 'DIFFERS from the ID token',
} as const;

export async function userinfo(ctx: CliContext, cmd: Extract<Command, { kind: 'userinfo' }>): Promise<ExitCode> {
  const api = await ctx.api();
  const view = await ctx.call(api.getSession({ sessionId: cmd.session }));
  const info = await ctx.call(api.getUserinfo({ sessionId: view.id }));
  if (cmd.json) {
    ctx.out.json({ session: info.sessionId, subject: view.subject, claims: info.claims, comparison: info.comparison });
    return EXIT.OK;
  }
  const relation = new Map(info.comparison.map((c) => [c.claim, c.relation]));
  const rows = Object.entries(info.claims).map(([k, v]) => {
    const r = relation.get(k);
    return [safeText(k, 60), safeText(v, 300), r === undefined ? '' : `(${RELATION_TEXT[r]})`];
  });
  for (const c of info.comparison) if (c.relation === 'only-id-token') rows.push([safeText(c.claim, 60), '-', `(${RELATION_TEXT[c.relation]})`]);
  for (const line of table(rows)) ctx.out.data(line);
  return EXIT.OK;
}

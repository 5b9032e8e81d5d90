/** `oidc-desk quickstart` (`npm run demo`): `login demo` (the demo provider started when needed), then the session and its verified ID token report. */
import { DEMO_ACCOUNTS, DEMO_PROFILE_NAME } from '../../demo-idp/persistent.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import type { ExitCode } from '../exit-codes.ts';
import { DeskError } from '../../core/errors.ts';
import { defaultDataDir } from '../../core/paths.ts';
import { signInWithBrowser } from './login.ts';
import { printInspection } from './inspect.ts';
import { SESSION_TABLE_HEADER, sessionRow, table } from '../views.ts';
import { safeText } from '../output.ts';

export async function quickstart(ctx: CliContext, cmd: Extract<Command, { kind: 'quickstart' }>): Promise<ExitCode> {
  ctx.out.info(`Quick start: signing in to the embedded demo provider. Demo users: ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password}`).join(', ')}.`);
  const view = await signInWithBrowser(ctx, DEMO_PROFILE_NAME, cmd);
  for (const line of table([[...SESSION_TABLE_HEADER], sessionRow(view, ctx.now())])) ctx.out.data(line);
  ctx.out.data('');
  const report = view.idToken?.report;
  if (report === undefined || report.kind !== 'jwt') throw new DeskError('JWT_MALFORMED', 'The sign-in gave no ID token to report on.');
  const code = printInspection(ctx, { source: 'session', session: view.id, subject: view.subject, profile: view.profile, issuer: view.issuer, report }, false);
  const cli = ctx.dataDir === defaultDataDir(ctx.env) ? 'oidc-desk' : `oidc-desk --data-dir '${safeText(ctx.dataDir).replaceAll("'", "'\\''")}'`;
  ctx.out.info(`\nNext: ${cli} token ${view.id}   (also: sessions, inspect, refresh, userinfo, logout)`);
  return code;
}

/** `oidc-desk demo-idp`: the embedded demo provider in the foreground (issuer on stdout, Ctrl-C stops it) on its recorded issuer, or `--port` to move it; `--stop` for the one running in the background. */
import { DeskError } from '../../core/errors.ts';
import { DEMO_ACCOUNTS, runningDemoProvider, startPersistentDemoProvider, stopDemoProvider } from '../../demo-idp/persistent.ts';
import { DEMO_CLIENT_ID } from '../../demo-idp/demo-data.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';

export async function demoIdp(ctx: CliContext, cmd: Extract<Command, { kind: 'demo-idp' }>): Promise<ExitCode> {
  // Like every command: the data directory is checked, and its start-up problems are reported.
  await ctx.desk();
  if (cmd.stop) {
    const state = await runningDemoProvider(ctx.dataDir);
    const stopped = await stopDemoProvider({ dataDir: ctx.dataDir });
    ctx.out.info(stopped && state ? `Stopped the demo provider at ${state.issuer} (pid ${state.pid ?? '?'}).` : 'No demo provider runs for this data directory.');
    return EXIT.OK;
  }
  const running = await runningDemoProvider(ctx.dataDir);
  if (running !== undefined) {
    throw new DeskError('USAGE', `The demo provider of this data directory already runs at ${running.issuer} (pid ${running.pid ?? '?'}). Stop it first with "oidc-desk demo-idp --stop".`);
  }
  const provider = await startPersistentDemoProvider({ dataDir: ctx.dataDir, port: cmd.port, env: ctx.env });
  ctx.out.data(provider.issuer);
  if (provider.previousIssuer !== undefined) {
    ctx.out.warn(`The demo provider moved from ${provider.previousIssuer} to ${provider.issuer}: demo sessions of ${provider.previousIssuer} need a new sign-in ("oidc-desk login demo").`);
  }
  ctx.out.info(`OIDC Desk demo provider at ${provider.issuer} (client "${DEMO_CLIENT_ID}"; keys and grants in ${ctx.dataDir}/demo-idp).`);
  ctx.out.info(`Users: ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password}`).join(', ')}. Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  ctx.out.info('Stopping the demo provider...');
  await provider.close();
  return EXIT.OK;
}

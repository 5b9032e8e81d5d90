/** `oidc-desk profile add|list|remove`: profiles in the shared profiles file, stored without contacting the provider. */
import type { Profile, RedirectMode } from '../../core/profile.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { safeText } from '../output.ts';

/** How a redirect is written in `profile list` and its JSON: "loopback", "app-scheme", the fixed loopback URI or the custom URI. */
export function redirectText(redirect: RedirectMode): string {
  if (redirect.kind === 'app-scheme') return redirect.kind;
  return redirect.uri ?? redirect.kind;
}

/** The `profile list --json` element (documented in docs/cli.md). */
export function profileJson(profile: Profile): Record<string, unknown> {
  return {
    name: profile.name,
    issuer: profile.issuer,
    clientId: profile.clientId,
    scopes: profile.scopes,
    redirect: redirectText(profile.redirect),
    allowHttpLoopback: profile.allowHttpLoopback,
    params: profile.extraParams,
  };
}

export async function profileAdd(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-add' }>): Promise<ExitCode> {
  const service = await ctx.service();
  const profile = await service.profiles.add({
    name: cmd.name,
    issuer: cmd.issuer,
    clientId: cmd.clientId,
    ...(cmd.scope === undefined ? {} : { scopes: cmd.scope }),
    redirect: cmd.redirect,
    allowHttpLoopback: cmd.allowHttpLoopback,
    extraParams: cmd.params,
  });
  ctx.out.info(`Added profile "${profile.name}": ${safeText(profile.issuer)}, client ${safeText(profile.clientId, 100)}, ${safeText(redirectText(profile.redirect))} redirect. Sign in with: oidc-desk login ${profile.name}`);
  return EXIT.OK;
}

export async function profileList(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-list' }>): Promise<ExitCode> {
  const profiles = await (await ctx.service()).profiles.list();
  if (cmd.json) {
    ctx.out.json(profiles.map(profileJson));
    return EXIT.OK;
  }
  if (profiles.length === 0) {
    ctx.out.info('No profiles. Add one with "oidc-desk profile add <name> --issuer <url> --client-id <id>", or try "oidc-desk login demo".');
    return EXIT.OK;
  }
  for (const p of profiles) {
    const params = Object.entries(p.extraParams).map(([k, v]) => `${k}=${v}`).join(' ');
    // profiles.json is in the data directory and may have been edited by hand: every field is shown escaped.
    const fields = [p.name, safeText(p.issuer), `client=${safeText(p.clientId, 100)}`, `redirect=${safeText(redirectText(p.redirect))}`, `scope="${safeText(p.scopes.join(' '), 500)}"`];
    if (p.allowHttpLoopback) fields.push('allow-http-loopback');
    if (params) fields.push(safeText(params, 300));
    ctx.out.data(fields.join('\t'));
  }
  return EXIT.OK;
}

export async function profileRemove(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-remove' }>): Promise<ExitCode> {
  await (await ctx.service()).profiles.remove(cmd.name);
  ctx.out.info(`Removed profile "${cmd.name}". Its sessions stay until "oidc-desk logout <session>".`);
  return EXIT.OK;
}

/** `oidc-desk profile add|list|remove`: profiles in the shared profiles file, stored without contacting the provider. */
import type { ClientCredentialView, ProfileInput, ProfileView } from '../../core/contract.ts';
import { isFrontChannelFlow, responseModeFor } from '../../core/front-channel-flows.ts';
import type { Command } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { safeText } from '../output.ts';
import { profileSettings } from '../par-dpop.ts';
import { readSecretFromStdin, readSecretFromTerminal } from '../secret-input.ts';

/**
 * The `profile list --json` element (documented in the README): `redirect` is "loopback", "app-scheme", the
 * fixed loopback URI or the custom URI, and null for a flow that uses no redirect.
 */
export function profileJson(profile: ProfileView): Record<string, unknown> {
  return {
    name: profile.name,
    issuer: profile.issuer,
    clientId: profile.clientId,
    scopes: profile.scopes,
    redirect: profile.redirect,
    allowHttpLoopback: profile.allowHttpLoopback,
    params: profile.extraParams,
    flow: profile.flow,
    clientAuth: profile.clientAuth,
    par: profile.par,
    dpop: profile.dpop,
    ...(profile.responseType === undefined ? {} : { responseType: profile.responseType }),
  };
}

export async function profileAdd(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-add' }>): Promise<ExitCode> {
  const api = await ctx.api();
  const profile = await ctx.call(api.addProfile({ profile: {
    name: cmd.name,
    issuer: cmd.issuer,
    clientId: cmd.clientId,
    ...(cmd.scope === undefined ? {} : { scopes: cmd.scope }),
    redirect: cmd.redirect,
    allowHttpLoopback: cmd.allowHttpLoopback,
    extraParams: cmd.params,
    // As typed: the profile validator refuses what is not a flow or a method (PROFILE_INVALID).
    ...(cmd.flow === undefined ? {} : { flow: cmd.flow as ProfileInput['flow'] & string }),
    ...(cmd.clientAuth === undefined ? {} : { clientAuth: cmd.clientAuth as ProfileInput['clientAuth'] & string }),
    ...(cmd.par === undefined ? {} : { par: cmd.par as ProfileInput['par'] & string }),
    ...(cmd.dpop === undefined ? {} : { dpop: cmd.dpop }),
    ...(cmd.responseType === undefined ? {} : { responseType: cmd.responseType as ProfileInput['responseType'] & string }),
  } }));
  if (isFrontChannelFlow(profile.flow)) {
    const mode = responseModeFor(profile.redirect === 'loopback' || profile.redirect?.startsWith('http:') === true ? { kind: 'loopback' } : { kind: 'app-scheme' });
    ctx.out.info(`Added profile "${profile.name}": ${safeText(profile.issuer)}, client ${safeText(profile.clientId, 100)}, ${safeText(profile.redirect)} redirect, ${profile.flow} flow with response_type=${profile.responseType ?? '?'} (response_mode=${mode}).`);
    if (profile.warning !== undefined) ctx.out.warn(profile.warning);
    ctx.out.info(`Sign in with: oidc-desk login ${profile.name}`);
    return EXIT.OK;
  }
  if (profile.flow === 'authorization_code') {
    const settings = profileSettings(profile);
    ctx.out.info(`Added profile "${profile.name}": ${safeText(profile.issuer)}, client ${safeText(profile.clientId, 100)}, ${safeText(profile.redirect)} redirect${settings.length === 0 ? '' : ` (${settings.join(', ')})`}. Sign in with: oidc-desk login ${profile.name}`);
    return EXIT.OK;
  }
  ctx.out.info(`Added profile "${profile.name}": ${safeText(profile.issuer)}, client ${safeText(profile.clientId, 100)}, ${profile.flow} flow, client authentication ${profile.clientAuth}.`);
  if (profile.warning !== undefined) ctx.out.warn(profile.warning);
  if (profile.clientAuth === 'private_key_jwt') ctx.out.info(`Make its key pair and register the public key at the provider: oidc-desk profile key ${profile.name}`);
  else if (profile.clientAuth !== 'none') ctx.out.info(`Set its client secret (kept in the OS keychain only): oidc-desk profile secret ${profile.name}`);
  if (profile.flow === 'okta_session_token') ctx.out.info(`Register ${safeText(profile.redirect === 'loopback' ? 'http://127.0.0.1/callback' : profile.redirect === 'app-scheme' ? 'dev.oidcdesk:/callback' : profile.redirect)} as a sign-in redirect URI of the Okta app (a Native app, as for the code flow).`);
  ctx.out.info(`Sign in with: oidc-desk login ${profile.name}${profile.flow === 'password' || profile.flow === 'okta_session_token' ? ' --username <name>' : ''}`);
  return EXIT.OK;
}

export async function profileList(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-list' }>): Promise<ExitCode> {
  const profiles = await ctx.call((await ctx.api()).listProfiles());
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
    const fields = [p.name, safeText(p.issuer), `client=${safeText(p.clientId, 100)}`, ...(p.redirect === null ? [] : [`redirect=${safeText(p.redirect)}`]), `scope="${safeText(p.scopes.join(' '), 500)}"`];
    if (p.flow !== 'authorization_code') fields.push(`flow=${p.flow}`, `client-auth=${p.clientAuth}`);
    if (p.responseType !== undefined) fields.push(`response-type="${p.responseType}"`);
    if (p.allowHttpLoopback) fields.push('allow-http-loopback');
    fields.push(...profileSettings(p));
    if (params) fields.push(safeText(params, 300));
    ctx.out.data(fields.join('\t'));
  }
  return EXIT.OK;
}

export async function profileRemove(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-remove' }>): Promise<ExitCode> {
  await ctx.call((await ctx.api()).removeProfile({ name: cmd.name }));
  ctx.out.info(`Removed profile "${cmd.name}", and its client's secret or key from the keychain unless another profile or a session of that client needs them. Its sessions stay until "oidc-desk logout <session>".`);
  return EXIT.OK;
}

/** Reads the client secret (stdin or the terminal, never argv) and keeps it in the keychain through the API. */
export async function setSecretFromInput(ctx: CliContext, name: string, stdin: boolean): Promise<ClientCredentialView> {
  const api = await ctx.api();
  const secret = stdin ? await readSecretFromStdin('client secret') : await readSecretFromTerminal('Client secret (not shown): ', 'client secret', '--client-secret-stdin');
  return ctx.call(api.setClientSecret({ profile: name, secret }));
}

export async function profileSecret(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-secret' }>): Promise<ExitCode> {
  // The profile first: a secret is not read for a profile that cannot take one.
  await ctx.call((await ctx.api()).clientCredential({ profile: cmd.name }));
  await setSecretFromInput(ctx, cmd.name, cmd.stdin);
  ctx.out.info(`The client secret of profile "${cmd.name}" is set (in the OS keychain, bound to its issuer and client id).`);
  return EXIT.OK;
}

export async function profileKey(ctx: CliContext, cmd: Extract<Command, { kind: 'profile-key' }>): Promise<ExitCode> {
  const api = await ctx.api();
  let view = await ctx.call(api.clientCredential({ profile: cmd.name }));
  if (view.publicKey === null || cmd.fresh) view = await ctx.call(api.generateClientKey({ profile: cmd.name, ...(cmd.alg === undefined ? {} : { alg: cmd.alg }) }));
  const key = view.publicKey;
  if (key === null) return EXIT.PROTOCOL;
  if (cmd.json) {
    ctx.out.json({ keys: [key.jwk], thumbprint: key.thumbprint });
    return EXIT.OK;
  }
  if (view.clientAuth !== 'private_key_jwt') ctx.out.warn(`Profile "${cmd.name}" uses ${view.clientAuth}, not private_key_jwt: this key is not used until it does.`);
  ctx.out.info(`Register this public key for client ${safeText(view.clientId, 100)} (its JWKS; thumbprint ${key.thumbprint}). The private key stays in the OS keychain.`);
  ctx.out.data(JSON.stringify({ keys: [key.jwk] }));
  return EXIT.OK;
}

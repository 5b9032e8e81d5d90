/** `oidc-desk login <profile>` for the Okta session token flow: the username from `--username`, the password read once (stdin or the no-echo prompt, never argv), no browser. */
import type { ProfileView, SessionView } from '../../core/contract.ts';
import { DeskError } from '../../core/errors.ts';
import type { DirectLoginOptions } from '../args.ts';
import { assertKeychainUsable, keychainService, type CliContext } from '../context.ts';
import { safeText } from '../output.ts';
import { readSecretFromStdin, readSecretFromTerminal } from '../secret-input.ts';

/** Signs in with an `okta_session_token` profile through Okta's Authentication API; resolves with the stored session. */
export async function signInWithOktaSessionToken(ctx: CliContext, profile: ProfileView, options: DirectLoginOptions): Promise<SessionView> {
  if (options.clientSecretStdin) throw new DeskError('USAGE', `Profile "${profile.name}" uses the Okta session token flow, a public client: it has no client secret, so no --client-secret-stdin.`);
  const username = options.username;
  if (username === undefined) throw new DeskError('USAGE', `Profile "${profile.name}" signs in through Okta's Authentication API: give --username <name> (the password is asked without echo, or read with --password-stdin).`);
  if (profile.warning !== undefined) ctx.out.warn(profile.warning);
  const api = await ctx.api();
  // The CLI keeps its sessions in the OS keychain only: checked before the password is asked for.
  assertKeychainUsable(await ctx.call(api.keychainStatus()), keychainService(ctx.env));
  const password = options.passwordStdin ? await readSecretFromStdin('password') : await readSecretFromTerminal(`Okta password for ${safeText(username, 100)} (not shown): `, 'password', '--password-stdin');
  ctx.out.info(`Signing in at Okta's Authentication API of ${safeText(new URL(profile.issuer).origin)}, then the code flow with PKCE, without a browser ...`);
  const done = await ctx.call(api.startSignIn({ profile: profile.name, username, password }));
  if (!('session' in done)) throw new DeskError('INTERNAL', 'The sign-in did not complete.');
  if (done.session.storage === 'none') {
    ctx.out.warn('The provider issued no refresh token (ask for the offline_access scope), so later commands cannot use this session: its tokens lived only in this command.');
  }
  return done.session;
}

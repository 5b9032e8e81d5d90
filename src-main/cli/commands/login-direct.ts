/** `oidc-desk login <profile>` for the flows without a browser: client credentials, and the legacy password grant (the password read once, never from argv). */
import type { ProfileView, SessionView } from '../../core/contract.ts';
import { DeskError } from '../../core/errors.ts';
import type { DirectLoginOptions } from '../args.ts';
import { assertKeychainUsable, keychainService, type CliContext } from '../context.ts';
import { safeText } from '../output.ts';
import { readSecretFromStdin, readSecretFromTerminal } from '../secret-input.ts';
import { signInWithOktaSessionToken } from './login-session-token.ts';
import { setSecretFromInput } from './profile.ts';

/** Signs in with a client credentials, password or Okta session token profile; resolves with the stored session. */
export async function signInDirect(ctx: CliContext, profile: ProfileView, options: DirectLoginOptions): Promise<SessionView> {
  if (profile.flow === 'okta_session_token') return signInWithOktaSessionToken(ctx, profile, options);
  const api = await ctx.api();
  if (profile.flow === 'client_credentials' && (options.username !== undefined || options.passwordStdin)) {
    throw new DeskError('USAGE', `Profile "${profile.name}" uses the client credentials flow: no user, so no --username or --password-stdin.`);
  }
  if (profile.flow === 'password' && options.username === undefined) throw new DeskError('USAGE', `Profile "${profile.name}" uses the password flow: give --username <name> (the password is asked without echo, or read with --password-stdin).`);
  if (profile.warning !== undefined) ctx.out.warn(profile.warning);
  // The CLI keeps its client secrets and sessions in the OS keychain only.
  assertKeychainUsable(await ctx.call(api.keychainStatus()), keychainService(ctx.env));
  if (options.clientSecretStdin) await setSecretFromInput(ctx, profile.name, true);
  let password: string | undefined;
  if (profile.flow === 'password') {
    password = options.passwordStdin ? await readSecretFromStdin('password') : await readSecretFromTerminal(`Password for ${safeText(options.username ?? '', 100)} (not shown): `, 'password', '--password-stdin');
  }
  ctx.out.info(`Requesting tokens from ${safeText(profile.issuer)} (${profile.flow === 'password' ? 'password' : 'client credentials'} grant) ...`);
  const done = await ctx.call(api.startSignIn({ profile: profile.name, ...(password === undefined ? {} : { username: options.username ?? '', password }) }));
  if (!('session' in done)) throw new DeskError('INTERNAL', 'The sign-in did not complete.');
  return done.session;
}

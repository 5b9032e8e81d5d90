/** `oidc-desk login <profile>`: authorization code + PKCE through a browser and a loopback redirect, the refresh token into the OS keychain, exactly the session id on stdout. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionView } from '../../core/contract.ts';
import { DeskError } from '../../core/errors.ts';
import { FLOW_TTL_MS } from '../../core/oauth/pending.ts';
import { DEMO_PROFILE_NAME } from '../../demo-idp/persistent.ts';
import type { Command, LoginOptions } from '../args.ts';
import { openAuthorizationUrl } from '../browser.ts';
import { assertKeychainUsable, keychainService, type CliContext } from '../context.ts';
import { prepareDemoProfile } from '../demo.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { duration, safeText } from '../output.ts';
import { signedInText } from '../views.ts';

/** How long a failed `--browser-command` leaves for a callback it may have delivered just before failing. */
const BROWSER_FAILURE_GRACE_MS = 3000;

/** The engine's default flow lifetime for a `--timeout` (each sign-in also gets exactly `--timeout` as its own deadline). */
export function flowTtlFor(timeoutSeconds: number | undefined): number | undefined {
  return timeoutSeconds === undefined ? undefined : Math.ceil(timeoutSeconds * 1000) + 2000;
}

/** Says on stderr how many requests reached the loopback listener without the sign-in's state (they were refused). */
function reportStrays(ctx: CliContext, count: number): void {
  if (count <= 0) return;
  ctx.out.warn(`${count} request${count === 1 ? '' : 's'} reached the sign-in's loopback listener without its state and ${count === 1 ? 'was' : 'were'} refused (HTTP 400); they did not come from this sign-in's browser redirect. If you did not cause ${count === 1 ? 'it' : 'them'} (an old sign-in tab reloaded, for example), another program on this computer is probing the port.`);
}

/**
 * Signs in with a profile: discovery, a keychain check (the CLI needs one), the loopback listener, the
 * browser, the wait. Resolves with the stored session; rejects with a DeskError (FLOW_TIMEOUT, a callback
 * error, SIGN_IN_CANCELLED on Ctrl-C, USAGE when the browser command fails, KEYCHAIN_* ...).
 */
export async function signInWithBrowser(ctx: CliContext, profileName: string, options: LoginOptions): Promise<SessionView> {
  const service = await ctx.service();
  const profile = profileName === DEMO_PROFILE_NAME ? await prepareDemoProfile(ctx) : await service.profiles.get(profileName);
  if (profile.redirect.kind !== 'loopback') {
    const uri = profile.redirect.kind === 'custom-scheme' ? profile.redirect.uri : 'dev.oidcdesk:/callback';
    throw new DeskError('REDIRECT_UNSUPPORTED', `The profile "${profile.name}" redirects to ${uri}, which only the desktop app can receive. The CLI signs in with a loopback redirect: add a profile with --redirect loopback (the default), e.g. "oidc-desk profile add ${profile.name}-cli --issuer ${profile.issuer} --client-id ${safeText(profile.clientId, 100)}", and register http://127.0.0.1/callback at the provider.`);
  }
  ctx.out.info(`Discovering ${safeText(profile.issuer)} ...`);
  await service.providers.get(profile);
  assertKeychainUsable(await service.keychain(), keychainService(ctx.env));

  // --timeout is the sign-in's own deadline: its listener, its flow and its outcome end there together.
  const { started, session } = await service.signIn(profile, options.timeoutSeconds === undefined ? {} : { timeoutMs: options.timeoutSeconds * 1000 });
  const waitMs = options.timeoutSeconds === undefined ? FLOW_TTL_MS : options.timeoutSeconds * 1000;
  ctx.out.info(`Waiting for the sign-in in the browser (redirect to ${started.redirectUri}; Ctrl-C cancels; gives up in ${duration(waitMs)}).`);

  let onSignal: (() => void) | undefined;
  const stopWaiting = new Promise<never>((_, reject) => {
    onSignal = () => reject(new DeskError('SIGN_IN_CANCELLED', 'The sign-in was cancelled (interrupted).'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const browser = openAuthorizationUrl(options.browser, started.authorizationUrl, ctx.out).catch(async (error: unknown) => {
    const settled = await Promise.race([session.then(() => true, () => true), sleep(BROWSER_FAILURE_GRACE_MS).then(() => false)]);
    if (settled) return session;
    throw error;
  });
  let view: SessionView;
  try {
    view = await Promise.race([session, stopWaiting, browser]);
  } finally {
    // Whatever ended the wait, the flow ends too (a no-op once it completed): a late callback is refused.
    started.cancel();
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    reportStrays(ctx, started.strayRequests);
  }

  if (view.storage === 'session-only') {
    // The keychain refused the refresh token after the probe passed: the session would not outlive this command.
    await service.signOut(view.id, { revoke: true }).catch(() => undefined);
    const cause = view.lastError;
    throw new DeskError(cause?.code.startsWith('KEYCHAIN_') ? cause.code : 'KEYCHAIN_FAILED', `The sign-in worked, but the OS keychain did not take the refresh token${cause ? ` (${cause.message})` : ''}. The CLI keeps sessions only in the OS keychain, so this one was discarded and its tokens revoked.`);
  }
  ctx.out.info(signedInText(view));
  if (view.storage === 'none') {
    ctx.out.warn('The provider issued no refresh token (ask for the offline_access scope; some providers also need --param prompt=consent), so later commands cannot use this session: its tokens lived only in this command.');
  }
  return view;
}

export async function login(ctx: CliContext, cmd: Extract<Command, { kind: 'login' }>): Promise<ExitCode> {
  const view = await signInWithBrowser(ctx, cmd.profile, cmd);
  ctx.out.data(view.id);
  return EXIT.OK;
}

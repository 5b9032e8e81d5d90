/** `oidc-desk login <profile>`: authorization code + PKCE through a browser and a loopback redirect, the refresh token into the OS keychain, exactly the session id on stdout. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeskApi, ErrorView, SessionView, SignInStart } from '../../core/contract.ts';
import { DeskError, fromErrorView } from '../../core/errors.ts';
import { DEMO_PROFILE_NAME } from '../../demo-idp/persistent.ts';
import type { Command, LoginOptions } from '../args.ts';
import { assertKeychainUsable, keychainService, type CliContext } from '../context.ts';
import { prepareDemoProfile } from '../demo.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { duration, safeText } from '../output.ts';
import { isFrontChannelFlow } from '../../core/front-channel-flows.ts';
import { tokenSourcesText } from '../legacy-flows.ts';
import { openSignIn } from '../par-dpop.ts';
import { signedInText } from '../views.ts';
import { signInDirect } from './login-direct.ts';
import { deviceProfile, loginDevice } from './login-device.ts';

/** How long a failed `--browser-command` leaves for a callback it may have delivered just before failing. */
const BROWSER_FAILURE_GRACE_MS = 3000;

/** Says on stderr how many requests reached the loopback listener without the sign-in's state (they were refused). */
function reportStrays(ctx: CliContext, count: number): void {
  if (count <= 0) return;
  ctx.out.warn(`${count} request${count === 1 ? '' : 's'} reached the sign-in's loopback listener without its state and ${count === 1 ? 'was' : 'were'} refused (HTTP 400); they did not come from this sign-in's browser redirect. If you did not cause ${count === 1 ? 'it' : 'them'} (an old sign-in tab reloaded, for example), another program on this computer is probing the port.`);
}

/** The outcome of one sign-in, from the API's events: the session, or the error; and the stray request count. */
interface Outcome {
  readonly session?: SessionView;
  readonly error?: ErrorView;
  readonly strayRequests: number;
}

/**
 * The outcome event (sign-in-completed / sign-in-failed) of one sign-in, subscribed before the sign-in
 * starts: `bind` names the flow once it is known (an event that came first is kept), `stop` unsubscribes.
 */
function outcomeOf(api: DeskApi): { outcome: Promise<Outcome>; bind(flowId: string): void; stop(): void } {
  const early = new Map<string, Outcome>();
  let bound: string | undefined;
  let deliver!: (o: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => {
    deliver = resolve;
  });
  const unsubscribe = api.subscribe((event) => {
    if (event.type !== 'sign-in-completed' && event.type !== 'sign-in-failed') return;
    const o: Outcome = event.type === 'sign-in-completed' ? { session: event.session, strayRequests: event.strayRequests } : { error: event.error, strayRequests: event.strayRequests };
    if (event.flowId === bound) deliver(o);
    else early.set(event.flowId, o);
  });
  return {
    outcome,
    bind: (flowId) => {
      bound = flowId;
      const kept = early.get(flowId);
      if (kept !== undefined) deliver(kept);
    },
    stop: unsubscribe,
  };
}

/** True for the loopback redirects the CLI can receive: "loopback" (a free port) or a fixed loopback URI. */
function isLoopbackRedirect(redirect: string): boolean {
  return redirect === 'loopback' || redirect.startsWith('http://127.0.0.1:') || redirect.startsWith('http://[::1]:');
}

/**
 * Signs in with a profile: a keychain check (the CLI needs one), discovery and the loopback listener (the
 * API's startSignIn), the browser, the wait for the outcome event. Resolves with the stored session;
 * rejects with a DeskError (FLOW_TIMEOUT, a callback error, SIGN_IN_CANCELLED on Ctrl-C, USAGE when the
 * browser command fails, KEYCHAIN_* ...).
 */
export async function signInWithBrowser(ctx: CliContext, profileName: string, options: LoginOptions): Promise<SessionView> {
  const api = await ctx.api();
  const profile = profileName === DEMO_PROFILE_NAME ? await prepareDemoProfile(ctx) : (await ctx.call(api.listProfiles())).find((p) => p.name === profileName);
  if (profile === undefined) throw new DeskError('PROFILE_NOT_FOUND', 'There is no profile with that name. List them with "oidc-desk profile list".');
  if (profile.redirect !== null && !isLoopbackRedirect(profile.redirect)) {
    const uri = profile.redirect === 'app-scheme' ? 'dev.oidcdesk:/callback' : profile.redirect;
    throw new DeskError('REDIRECT_UNSUPPORTED', `The profile "${profile.name}" redirects to ${safeText(uri, 200)}, which only the desktop app can receive. The CLI signs in with a loopback redirect: add a profile with --redirect loopback (the default), e.g. "oidc-desk profile add ${profile.name}-cli --issuer ${safeText(profile.issuer)} --client-id ${safeText(profile.clientId, 100)}", and register http://127.0.0.1/callback at the provider.`);
  }
  assertKeychainUsable(await ctx.call(api.keychainStatus()), keychainService(ctx.env));
  // The implicit and hybrid flows' legacy warning, at every sign-in.
  if (profile.warning !== undefined) ctx.out.warn(profile.warning);
  ctx.out.info(`Discovering ${safeText(profile.issuer)} ...`);

  const waiter = outcomeOf(api);
  let started: SignInStart;
  try {
    // --timeout is the sign-in's own deadline: its listener, its flow and its outcome end there together.
    const answer = await ctx.call(api.startSignIn({ profile: profile.name, ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }) }));
    if ('session' in answer || 'device' in answer) throw new DeskError('INTERNAL', 'The sign-in did not start in the browser.');
    started = answer;
  } catch (error) {
    waiter.stop();
    throw error;
  }
  waiter.bind(started.flowId);
  const session = waiter.outcome.then((o) => {
    if (o.session !== undefined) return o.session;
    throw fromErrorView(o.error ?? { code: 'INTERNAL', message: 'The sign-in ended without an outcome.' });
  });
  session.catch(() => undefined);
  ctx.out.info(`Waiting for the sign-in in the browser (redirect to ${started.redirectUri}; Ctrl-C cancels; gives up in ${duration(started.expiresAt - ctx.now())}).`);

  let onSignal: (() => void) | undefined;
  const stopWaiting = new Promise<never>((_, reject) => {
    onSignal = () => reject(new DeskError('SIGN_IN_CANCELLED', 'The sign-in was cancelled (interrupted).'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const browser = openSignIn(ctx, api, started, options.browser).catch(async (error: unknown) => {
    const settled = await Promise.race([session.then(() => true, () => true), sleep(BROWSER_FAILURE_GRACE_MS).then(() => false)]);
    if (settled) return session;
    throw error;
  });
  let view: SessionView;
  try {
    view = await Promise.race([session, stopWaiting, browser]);
  } finally {
    // Whatever ended the wait, the flow ends too (refused once it completed): a late callback is refused.
    await api.cancelSignIn({ flowId: started.flowId });
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const ended = await Promise.race([waiter.outcome, sleep(1000).then(() => undefined)]);
    waiter.stop();
    reportStrays(ctx, ended?.strayRequests ?? 0);
  }

  if (view.storage === 'session-only') {
    // The keychain refused the refresh token after the probe passed: the session would not outlive this command.
    await api.signOut({ sessionId: view.id, revoke: true });
    const cause = view.lastError;
    throw new DeskError(cause?.code.startsWith('KEYCHAIN_') ? cause.code : 'KEYCHAIN_FAILED', `The sign-in worked, but the OS keychain did not take the refresh token${cause ? ` (${cause.message})` : ''}. The CLI keeps sessions only in the OS keychain, so this one was discarded and its tokens revoked.`);
  }
  ctx.out.info(signedInText(view));
  if (view.legacy !== undefined) ctx.out.info(tokenSourcesText(view.legacy));
  if (view.legacy?.flow === 'implicit') {
    ctx.out.warn('The implicit flow issues no refresh token: "oidc-desk token" gives this session\'s tokens until they run out; then sign in again (no silent sign-in).');
  } else if (view.storage === 'none') {
    ctx.out.warn('The provider issued no refresh token (ask for the offline_access scope; some providers also need --param prompt=consent), so later commands cannot use this session: its tokens lived only in this command.');
  }
  return view;
}

export async function login(ctx: CliContext, cmd: Extract<Command, { kind: 'login' }>): Promise<ExitCode> {
  const device = cmd.profile === DEMO_PROFILE_NAME ? undefined : await deviceProfile(ctx, cmd.profile);
  if (device !== undefined) return loginDevice(ctx, device, cmd);
  if (cmd.device !== undefined) throw new DeskError('USAGE', '--no-qr and --open are for a profile of the device flow; this one is not.');
  const direct = cmd.profile === DEMO_PROFILE_NAME ? undefined : (await ctx.call((await ctx.api()).listProfiles())).find((p) => p.name === cmd.profile && p.flow !== 'authorization_code' && !isFrontChannelFlow(p.flow));
  if (direct === undefined && cmd.direct !== undefined) {
    throw new DeskError('USAGE', '--client-secret-stdin, --username and --password-stdin are for a profile of the client credentials, password or Okta session token flow; this one signs in through the browser.');
  }
  const view = direct === undefined ? await signInWithBrowser(ctx, cmd.profile, cmd) : await signInDirect(ctx, direct, cmd.direct ?? { clientSecretStdin: false, username: undefined, passwordStdin: false });
  if (direct !== undefined) ctx.out.info(view.flow === 'client_credentials' ? `Got a token for client ${safeText(view.clientId, 100)}: session ${safeText(view.id, 80)} (no user, no ID token, no refresh token; "oidc-desk token" runs the grant again when it runs out).` : signedInText(view));
  ctx.out.data(view.id);
  return EXIT.OK;
}

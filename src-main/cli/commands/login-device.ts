/** `oidc-desk login <profile>` for a device flow profile (RFC 8628): the address, the code and a QR code on stderr for another device, progress while the provider is polled, exactly the session id on stdout. */
import type { DeskApi, DeviceSignInPrompt, DeviceSignInStart, ErrorView, ProfileView, SessionView } from '../../core/contract.ts';
import { DeskError, fromErrorView } from '../../core/errors.ts';
import type { Command } from '../args.ts';
import { openAuthorizationUrl } from '../browser.ts';
import { assertKeychainUsable, keychainService, type CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { duration, noColour, safeText } from '../output.ts';
import { signedInText } from '../views.ts';

type LoginCommand = Extract<Command, { kind: 'login' }>;

/** The device profile `login` names, or undefined for any other profile (or none). */
export async function deviceProfile(ctx: CliContext, name: string): Promise<ProfileView | undefined> {
  return (await ctx.call((await ctx.api()).listProfiles())).find((p) => p.name === name && p.flow === 'device_code');
}

/** The events of one device sign-in: progress lines while it polls, and its outcome. */
function watch(api: DeskApi, onPolling: (event: { polls: number; interval: number; slowDown: boolean }) => void): { outcome: Promise<SessionView>; bind(flowId: string): void; stop(): void } {
  let bound: string | undefined;
  const early = new Map<string, { session?: SessionView; error?: ErrorView }>();
  let settle!: (o: { session?: SessionView; error?: ErrorView }) => void;
  const settled = new Promise<{ session?: SessionView; error?: ErrorView }>((resolve) => {
    settle = resolve;
  });
  const stop = api.subscribe((event) => {
    if (event.type === 'sign-in-polling' && event.flowId === bound) onPolling(event);
    if (event.type !== 'sign-in-completed' && event.type !== 'sign-in-failed') return;
    const o = event.type === 'sign-in-completed' ? { session: event.session } : { error: event.error };
    if (event.flowId === bound) settle(o);
    else early.set(event.flowId, o);
  });
  const outcome = settled.then((o) => {
    if (o.session !== undefined) return o.session;
    throw fromErrorView(o.error ?? { code: 'INTERNAL', message: 'The sign-in ended without an outcome.' });
  });
  outcome.catch(() => undefined);
  return {
    outcome,
    bind: (flowId) => {
      bound = flowId;
      const kept = early.get(flowId);
      if (kept !== undefined) settle(kept);
    },
    stop,
  };
}

/** The QR code of `text` for a terminal (two rows of modules per line), loaded only here. */
async function terminalQr(text: string): Promise<string> {
  const { renderUnicodeCompact } = await import('uqr');
  return renderUnicodeCompact(text, { border: 2 });
}

/** What the person reads: where to go, the code, and the QR code of the address that carries the code. */
async function printPrompt(ctx: CliContext, prompt: DeviceSignInPrompt, qr: boolean): Promise<void> {
  const out = ctx.out;
  const complete = prompt.verificationUriComplete;
  out.info(`\nTo sign in, open this address on a phone or a computer with a browser:\n\n  ${safeText(prompt.verificationUri, 2048)}\n\nand enter the code:\n\n  ${safeText(prompt.userCode, 64)}\n`);
  if (qr) {
    out.info(`Or scan this QR code (it opens ${complete === undefined ? 'the same address' : 'the address with the code filled in'}):\n`);
    // Light modules as blocks: drawn light on dark on a terminal, so a phone reads it on any theme.
    out.picture(await terminalQr(complete ?? prompt.verificationUri), !noColour(ctx.env));
  }
  if (complete !== undefined) out.info(`With the code filled in: ${safeText(complete, 2048)}\n`);
  out.info(`The code expires in ${duration(prompt.expiresAt - ctx.now())}. Ctrl-C cancels.`);
}

/**
 * Signs in with a device flow profile: the keychain checked, the device authorization (the API's
 * startSignIn), the prompt on stderr, the polling's progress, the outcome event. No browser is opened here
 * unless `--open`. Rejects with a DeskError (DEVICE_CODE_EXPIRED, SIGN_IN_CANCELLED on Ctrl-C or when the
 * person refuses, FLOW_TIMEOUT with --timeout, KEYCHAIN_* ...).
 */
export async function signInWithDevice(ctx: CliContext, profile: ProfileView, cmd: LoginCommand): Promise<SessionView> {
  if (cmd.direct !== undefined) throw new DeskError('USAGE', '--client-secret-stdin, --username and --password-stdin are not for a device flow profile: the person signs in on the other device (set a client secret with "oidc-desk profile secret").');
  if (cmd.browser.kind === 'command' && cmd.device?.open !== true) throw new DeskError('USAGE', 'A device flow profile opens no browser here unless --open: give --browser-command with --open.');
  const api = await ctx.api();
  assertKeychainUsable(await ctx.call(api.keychainStatus()), keychainService(ctx.env));
  ctx.out.info(`Asking ${safeText(profile.issuer)} for a device code ...`);
  let started: DeviceSignInStart | undefined;
  const waiter = watch(api, ({ polls, interval, slowDown }) => {
    const left = started === undefined ? '' : `; the code expires in ${duration(started.device.expiresAt - ctx.now())}`;
    ctx.out.progress(`${slowDown ? `The provider asked to poll less often: every ${interval} s now. ` : ''}Waiting for the sign-in on the other device (checked ${polls} time${polls === 1 ? '' : 's'}, next in ${interval} s${left}).`);
  });
  try {
    const answer = await ctx.call(api.startSignIn({ profile: profile.name, ...(cmd.timeoutSeconds === undefined ? {} : { timeoutSeconds: cmd.timeoutSeconds }) }));
    if (!('device' in answer)) throw new DeskError('INTERNAL', 'The sign-in did not start as a device sign-in.');
    started = answer;
  } catch (error) {
    waiter.stop();
    throw error;
  }
  const flowId = started.flowId;
  waiter.bind(flowId);

  // Listening before the prompt says "Ctrl-C cancels": a signal right after it must cancel, not kill.
  let onSignal: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = () => reject(new DeskError('SIGN_IN_CANCELLED', 'The sign-in was cancelled (interrupted).'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  interrupted.catch(() => undefined);
  try {
    await Promise.race([printPrompt(ctx, started.device, cmd.device?.noQr !== true), interrupted]);
    const opened = cmd.device?.open === true ? openAuthorizationUrl(cmd.browser, started.device.verificationUriComplete ?? started.device.verificationUri, ctx.out) : new Promise<never>(() => undefined);
    return await Promise.race([waiter.outcome, interrupted, opened]);
  } finally {
    ctx.out.endProgress();
    // Whatever ended the wait, the polling stops with it (a flow that ended already is not waiting).
    await api.cancelSignIn({ flowId });
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    waiter.stop();
  }
}

/** `login` of a device flow profile: the session id on stdout, like every login. */
export async function loginDevice(ctx: CliContext, profile: ProfileView, cmd: LoginCommand): Promise<ExitCode> {
  const api = await ctx.api();
  const view = await signInWithDevice(ctx, profile, cmd);
  if (view.storage === 'session-only') {
    // The keychain refused the refresh token after the probe passed: the session would not outlive this command.
    await api.signOut({ sessionId: view.id, revoke: true });
    const cause = view.lastError;
    throw new DeskError(cause?.code.startsWith('KEYCHAIN_') ? cause.code : 'KEYCHAIN_FAILED', `The sign-in worked, but the OS keychain did not take the refresh token${cause ? ` (${cause.message})` : ''}. The CLI keeps sessions only in the OS keychain, so this one was discarded and its tokens revoked.`);
  }
  ctx.out.info(signedInText(view));
  if (view.storage === 'none') {
    ctx.out.warn('The provider issued no refresh token (ask for the offline_access scope), so later commands cannot use this session: its tokens lived only in this command.');
  }
  ctx.out.data(view.id);
  return EXIT.OK;
}

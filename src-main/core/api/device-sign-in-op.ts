/**
 * `startSignIn` for a device flow profile (RFC 8628): the answer every front shows at once (the code and
 * where to enter it), then the polling's progress and outcome as events, like the code flow's.
 * @module
 */
import type { DeskEvent, DeviceSignInStart, SignInOptions } from '../contract.ts';
import { DeskError } from '../errors.ts';
import type { Profile } from '../profile.ts';
import { directFlowId } from '../session/direct-sign-in.ts';
import type { SessionService } from '../session/session-service.ts';
import { errorView } from './desk-api.ts';

/** What the API lends the operation: the service, its table of waiting sign-ins, and its event stream. */
export interface DeviceSignInHost {
  readonly service: SessionService;
  /** Sign-ins waiting, by flow id: `cancelSignIn` finds them there. */
  readonly flows: Map<string, { cancel(): void }>;
  readonly emit: (event: DeskEvent) => void;
}

/**
 * Starts a device sign-in and answers {@link DeviceSignInStart}; announces `sign-in-started`, a
 * `sign-in-polling` event after each poll the person has not answered yet, and `sign-in-completed` or
 * `sign-in-failed`. A username, a password or options of the browser's authorization request are refused
 * (`USAGE`), except `options.extraParams`, sent with the device authorization request.
 */
export async function signInDevice(host: DeviceSignInHost, profile: Profile, input: {
  readonly options?: SignInOptions | undefined;
  readonly timeoutSeconds?: number | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}): Promise<DeviceSignInStart> {
  if (input.username !== undefined || input.password !== undefined) throw new DeskError('USAGE', 'The device flow takes no username or password: the person signs in on the other device.');
  const { extraParams, ...browserOnly } = input.options ?? {};
  if (Object.keys(browserOnly).length > 0) throw new DeskError('USAGE', 'The device flow takes no prompt, login hint, max_age or acr_values: only extra parameters for the device authorization request.');
  const flowId = directFlowId();
  const started = await host.service.signInDevice(profile, {
    flowId,
    ...(input.timeoutSeconds === undefined ? {} : { timeoutMs: input.timeoutSeconds * 1000 }),
    ...(extraParams === undefined ? {} : { extraParams }),
    onProgress: (progress) => host.emit({ type: 'sign-in-polling', flowId, ...progress }),
  });
  host.flows.set(flowId, started);
  host.emit({ type: 'sign-in-started', flowId, profile: profile.name, expiresAt: started.expiresAt });
  started.session.then(
    (session) => host.emit({ type: 'sign-in-completed', flowId, session, strayRequests: 0 }),
    (error: unknown) => host.emit({ type: 'sign-in-failed', flowId, error: errorView(error), strayRequests: 0 }),
  ).finally(() => host.flows.delete(flowId));
  return { flowId, profile: profile.name, device: started.prompt, expiresAt: started.expiresAt };
}

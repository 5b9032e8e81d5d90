/**
 * Sign-in with the device authorization grant (RFC 8628): the device authorization request, then the
 * polling of the token endpoint at the provider's interval until the person has finished on another
 * device, and the session stored exactly as the code flow's.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceSignInPrompt, SessionView } from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import { Deadline } from '../oauth/deadline.ts';
import { requestDeviceAuthorization, MAX_INTERVAL_SECONDS } from '../oauth/device-authorization.ts';
import { humanizeDuration } from '../oauth/jwt-report.ts';
import { deviceCodeGrant, type TokenSet } from '../oauth/tokens.ts';
import type { Profile } from '../profile.ts';
import { clientAuthOf } from './client-credentials.ts';
import { revokeUnclaimed } from './revocations.ts';
import type { SessionState } from './session-state.ts';
import { storeSignIn } from './store-session.ts';

/** How much `slow_down` adds to the interval, seconds (RFC 8628 §3.5). */
export const SLOW_DOWN_SECONDS = 5;

/** Progress of the polling, for the fronts. */
export interface DevicePollProgress {
  /** Token requests made so far. */
  readonly polls: number;
  /** Seconds until the next poll. */
  readonly interval: number;
  /** The provider asked to slow down: the interval grew by {@link SLOW_DOWN_SECONDS}. */
  readonly slowDown: boolean;
}

/** Options of one device sign-in. */
export interface DeviceSignInOptions {
  /** Names the sign-in's exchanges until they belong to the session, and the sign-in in events. */
  readonly flowId: string;
  /** Gives up earlier than the device code's expiry, ms. */
  readonly timeoutMs?: number | undefined;
  /** Parameters of this sign-in's device authorization request besides the profile's own. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined;
  /** Hears each poll the person has not answered yet. */
  readonly onProgress?: (progress: DevicePollProgress) => void;
}

/** A device sign-in waiting for the person on the other device. */
export interface StartedDeviceSignIn {
  readonly id: string;
  /** What the person needs, checked (see {@link requestDeviceAuthorization}). */
  readonly prompt: DeviceSignInPrompt;
  /** When the polling gives up (ms since the epoch). */
  readonly expiresAt: number;
  /** Settles once: the stored session, or a DeskError. */
  readonly session: Promise<SessionView>;
  /** Stops the polling now (`SIGN_IN_CANCELLED`): no token request is made after it. */
  cancel(): void;
}

/** Why the polling ended once the sign-in settled: its deadline's signal is aborted with this. */
const SETTLED = new DeskError('SIGN_IN_CANCELLED', 'The sign-in has ended.');

/**
 * Starts a device sign-in: discovery and the device authorization request (the client authenticated as the
 * profile says); resolves once the provider's answer is checked, with what the person needs. The polling
 * then runs until the tokens come (verified and stored as the code flow's: the ID token checked, the refresh
 * token to the keychain), the person refuses (`SIGN_IN_CANCELLED` with `access_denied`), the code expires
 * (`DEVICE_CODE_EXPIRED`), the timeout passes (`FLOW_TIMEOUT`), `cancel()`, or another error ends it.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export async function startDeviceSignIn(state: SessionState, profile: Profile, options: DeviceSignInOptions): Promise<StartedDeviceSignIn> {
  if (profile.flow !== 'device_code') throw new DeskError('USAGE', 'This profile does not use the device flow.');
  const { flowId } = options;
  const clientAuth = await clientAuthOf(state, profile, profile.clientAuth);
  const provider = await state.providers.get(profile, { context: { flowId } });
  const authorization = await requestDeviceAuthorization(provider, {
    clientAuth,
    scopes: profile.scopes,
    extraParams: { ...profile.extraParams, ...options.extraParams },
    allowHttpLoopback: profile.allowHttpLoopback,
  });
  const codeLifetimeMs = authorization.expiresInSeconds * 1000;
  const byCode = options.timeoutMs === undefined || options.timeoutMs >= codeLifetimeMs;
  const deadline = new Deadline(byCode ? codeLifetimeMs : options.timeoutMs, state.deps.now);
  const prompt: DeviceSignInPrompt = {
    userCode: authorization.userCode,
    verificationUri: authorization.verificationUri,
    ...(authorization.verificationUriComplete === undefined ? {} : { verificationUriComplete: authorization.verificationUriComplete }),
    expiresAt: byCode ? deadline.expiresAt : state.now() + codeLifetimeMs,
    interval: authorization.intervalSeconds,
  };

  /** The error the sign-in ends with when its deadline aborted the wait or a poll. */
  const ended = (): DeskError => {
    const error = deadline.error();
    if (error.code !== 'FLOW_TIMEOUT') return error;
    return byCode
      ? new DeskError('DEVICE_CODE_EXPIRED', 'The code expired before the sign-in was finished on the other device. Start the sign-in again for a new code.')
      : new DeskError('FLOW_TIMEOUT', `The sign-in was not finished on the other device within ${humanizeDuration(options.timeoutMs ?? 0)}; it was abandoned. Start it again.`);
  };

  const poll = async (): Promise<TokenSet> => {
    let interval = authorization.intervalSeconds;
    let polls = 0;
    for (;;) {
      try {
        await sleep(interval * 1000, undefined, { signal: deadline.signal });
      } catch {
        throw ended();
      }
      polls += 1;
      try {
        return await deviceCodeGrant(provider, {
          clientAuth,
          deviceCode: authorization.deviceCode,
          requireIdToken: profile.scopes.includes('openid'),
          now: state.deps.now,
          signal: deadline.signal,
        });
      } catch (error) {
        if (deadline.signal.aborted) throw ended();
        const err = isDeskError(error) ? error : new DeskError('INTERNAL', 'The token request failed.', { cause: error });
        const next = nextInterval(err, interval);
        if (next === undefined) throw err;
        interval = next;
        options.onProgress?.({ polls, interval, slowDown: err.oauthError === 'slow_down' });
      }
    }
  };

  const session = (async (): Promise<SessionView> => {
    try {
      const tokens = await poll();
      // A cancel that came while the tokens were on their way (or being checked): the person no longer wants
      // this session, and the grant the provider issued for it is ended there, not left valid with nobody holding it.
      if (deadline.signal.aborted) {
        await revokeUnclaimed(state, { flowId, profile, provider, tokens }, clientAuth);
        throw ended();
      }
      return await storeSignIn(state, { flowId, profile, provider, redirectUri: '', tokens, strayRequests: 0 });
    } finally {
      deadline.cancel(SETTLED);
    }
  })();
  // A rejection nobody awaits yet must not crash the process; callers still see it on `session`.
  session.catch(() => undefined);
  return {
    id: flowId,
    prompt,
    expiresAt: deadline.expiresAt,
    session,
    cancel: () => deadline.cancel(new DeskError('SIGN_IN_CANCELLED', 'Sign-in was cancelled.')),
  };
}

/**
 * What a refused poll means (RFC 8628 §3.5): the interval to wait before the next one, or undefined when the
 * polling must end with an error, thrown here when the provider's refusal has a code of its own.
 */
function nextInterval(error: DeskError, interval: number): number | undefined {
  switch (error.oauthError) {
    case 'authorization_pending':
      return interval;
    case 'slow_down':
      return interval + SLOW_DOWN_SECONDS;
    case 'access_denied':
      throw new DeskError('SIGN_IN_CANCELLED', 'The sign-in was refused or cancelled on the other device (access_denied).', { cause: error, oauthError: 'access_denied', ...(error.oauthErrorDescription === undefined ? {} : { oauthErrorDescription: error.oauthErrorDescription }) });
    case 'expired_token':
      throw new DeskError('DEVICE_CODE_EXPIRED', 'The code expired before the sign-in was finished on the other device (expired_token). Start the sign-in again for a new code.', { cause: error, oauthError: 'expired_token' });
    default:
      // A connection timeout or a provider failure: poll less often (RFC 8628 §3.5 asks for a backoff).
      return error.category === 'network' ? Math.min(interval * 2, MAX_INTERVAL_SECONDS) : undefined;
  }
}

/**
 * Sign-ins waiting for the browser (started here or by another front) and how the recent ones ended:
 * started with `startSignIn`, followed by the sign-in events, cancelled with `cancelSignIn`.
 */
import { useCallback, useRef, useState } from 'react';
import type { DeviceSignInPrompt, DeviceSignInStart, ErrorView, Result, SignInDone, SignInStart } from '../../src-main/core/contract.ts';
import { callOperation } from '../format/call.ts';
import { withOutcome, type SignInOutcome } from '../format/sign-in-outcomes.ts';
import { useDesk } from './use-desk.ts';
import { useDeskEvents } from './use-desk-events.ts';

/** A sign-in waiting for the browser. The authorization URL is known only for those started in this page. */
export interface WaitingSignIn {
  readonly flowId: string;
  readonly profile: string;
  readonly expiresAt: number;
  readonly authorizationUrl?: string;
  readonly redirectUri?: string;
  /** When its request was pushed (PAR): until when the provider takes its request_uri. */
  readonly requestUriExpiresAt?: number;
  /** A device sign-in started here: the code to enter on another device, and where. */
  readonly device?: DeviceSignInPrompt;
  /** A device sign-in's polling so far (its `sign-in-polling` events). */
  readonly polling?: { readonly polls: number; readonly interval: number; readonly slowDown: boolean };
}

/** What {@link useSignIns} returns. */
export interface SignIns {
  readonly waiting: readonly WaitingSignIn[];
  /** Newest first: the failures not dismissed, and the latest success. */
  readonly outcomes: readonly SignInOutcome[];
  /** The profile whose sign-in is being started, while `start` runs. */
  readonly starting: string | undefined;
  /** Why the last start failed (before any browser was involved). */
  readonly startError: ErrorView | undefined;
  /** Starts a sign-in; a flow without a browser (client credentials, password with `credentials`) completes at once. */
  start(profile: string, credentials?: { readonly username: string; readonly password: string }): Promise<Result<SignInStart | SignInDone | DeviceSignInStart>>;
  /** The first run: makes sure the demo provider runs and the demo profile exists, then signs in with it. */
  startDemo(): Promise<Result<SignInStart | SignInDone | DeviceSignInStart>>;
  cancel(flowId: string, reason?: 'request-uri-expired'): Promise<Result<null>>;
  dismiss(flowId: string): void;
}

/** Sign-ins of every front, with the outcomes of the recent ones. */
export function useSignIns(): SignIns {
  const desk = useDesk();
  const [waiting, setWaiting] = useState<readonly WaitingSignIn[]>([]);
  const [outcomes, setOutcomes] = useState<readonly SignInOutcome[]>([]);
  const [starting, setStarting] = useState<string | undefined>(undefined);
  const [startError, setStartError] = useState<ErrorView | undefined>(undefined);
  // Ended flows, so a start answer that arrives after its outcome does not bring it back.
  const ended = useRef(new Set<string>());
  const profileOf = useRef(new Map<string, string>());
  const startedHere = useRef(new Set<string>());

  const upsert = useCallback((flow: WaitingSignIn) => {
    if (ended.current.has(flow.flowId)) return;
    profileOf.current.set(flow.flowId, flow.profile);
    setWaiting((list) => [...list.filter((w) => w.flowId !== flow.flowId), { ...list.find((w) => w.flowId === flow.flowId), ...flow }]);
  }, []);

  useDeskEvents((event) => {
    if (event.type === 'sign-in-started') upsert({ flowId: event.flowId, profile: event.profile, expiresAt: event.expiresAt });
    if (event.type === 'sign-in-polling') setWaiting((list) => list.map((w) => (w.flowId === event.flowId ? { ...w, polling: { polls: event.polls, interval: event.interval, slowDown: event.slowDown } } : w)));
    if (event.type !== 'sign-in-completed' && event.type !== 'sign-in-failed') return;
    ended.current.add(event.flowId);
    const outcome: SignInOutcome = event.type === 'sign-in-completed'
      ? { flowId: event.flowId, ok: true, session: event.session, startedHere: startedHere.current.has(event.flowId) }
      : { flowId: event.flowId, ok: false, profile: profileOf.current.get(event.flowId), error: event.error };
    profileOf.current.delete(event.flowId);
    startedHere.current.delete(event.flowId);
    setWaiting((list) => list.filter((w) => w.flowId !== event.flowId));
    // Heard after the answer of a start without a browser, it keeps that outcome as this window's.
    setOutcomes((previous) => withOutcome(previous, outcome));
  });

  const start = useCallback(async (profile: string, credentials?: { readonly username: string; readonly password: string }) => {
    setStarting(profile);
    setStartError(undefined);
    const result = await callOperation(desk, 'startSignIn', [{ profile, ...credentials }]);
    setStarting(undefined);
    if (result.ok) {
      const started = result.value;
      if ('session' in started) {
        // Complete already (no browser): its events may have come first, so the outcome is set here as this window's.
        const { flowId, session } = started;
        ended.current.add(flowId);
        setWaiting((list) => list.filter((w) => w.flowId !== flowId));
        setOutcomes((previous) => withOutcome(previous, { flowId, ok: true, session, startedHere: true }));
      } else {
        startedHere.current.add(started.flowId);
        upsert({ ...started });
      }
    }
    else setStartError(result.error);
    return result;
  }, [desk, upsert]);

  const startDemo = useCallback(async (): Promise<Result<SignInStart | SignInDone | DeviceSignInStart>> => {
    setStarting('demo');
    setStartError(undefined);
    const demo = await callOperation(desk, 'ensureDemoProvider', []);
    if (!demo.ok) {
      setStarting(undefined);
      setStartError(demo.error);
      return demo;
    }
    return start(demo.value.profile.name);
  }, [desk, start]);

  const cancel = useCallback((flowId: string, reason?: 'request-uri-expired') => callOperation(desk, 'cancelSignIn', [{ flowId, ...(reason === undefined ? {} : { reason }) }]), [desk]);
  const dismiss = useCallback((flowId: string) => setOutcomes((list) => list.filter((o) => o.flowId !== flowId)), []);

  return { waiting, outcomes, starting, startError, start, startDemo, cancel, dismiss };
}

/** The list of recent sign-in outcomes: failures until dismissed (a few), and the latest success. */
import type { ErrorView, SessionView } from '../../src-main/core/contract.ts';

/** How a sign-in ended. */
export type SignInOutcome =
  | { readonly flowId: string; readonly ok: true; readonly session: SessionView; readonly startedHere: boolean }
  | { readonly flowId: string; readonly ok: false; readonly profile: string | undefined; readonly error: ErrorView };

/** Outcomes kept at most. */
export const OUTCOMES_KEPT = 5;

/**
 * The list with `next` first. A success replaces the previous success. The same flow heard twice (its
 * event, and for a flow without a browser the answer of its start) stays one outcome, and one that this
 * window started stays this window's whichever of the two came last.
 */
export function withOutcome(previous: readonly SignInOutcome[], next: SignInOutcome): readonly SignInOutcome[] {
  const earlier = previous.find((o) => o.flowId === next.flowId);
  const merged: SignInOutcome = next.ok && earlier?.ok === true && earlier.startedHere ? { ...next, startedHere: true } : next;
  return [merged, ...previous.filter((o) => o.flowId !== next.flowId && !(next.ok && o.ok))].slice(0, OUTCOMES_KEPT);
}

/** Events heard through an open desk's API: the next one that matches, and the outcome of one sign-in. */
import type { DeskEvent } from '../../src-main/core/contract.ts';
import type { Desk } from '../../src-main/core/desk.ts';

/** Resolves with the next event `match` accepts; subscribe before it can happen. */
export function nextEvent(desk: Desk, match: (e: DeskEvent) => boolean): Promise<DeskEvent> {
  return new Promise((resolve) => {
    const stop = desk.api.subscribe((e) => {
      if (!match(e)) return;
      stop();
      resolve(e);
    });
  });
}

/** Resolves with the outcome event of the sign-in `flowId` (`sign-in-completed` or `sign-in-failed`); subscribe before the outcome can happen. */
export function signInOutcome(desk: Desk, flowId: string): Promise<DeskEvent> {
  return nextEvent(desk, (e) => (e.type === 'sign-in-completed' || e.type === 'sign-in-failed') && e.flowId === flowId);
}

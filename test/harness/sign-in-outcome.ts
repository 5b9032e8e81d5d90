/** The outcome event of one sign-in (`sign-in-completed` or `sign-in-failed`), heard through an open desk's API. */
import type { DeskEvent } from '../../src-main/core/contract.ts';
import type { Desk } from '../../src-main/core/desk.ts';

/** Resolves with the outcome event of the sign-in `flowId`; subscribe before the outcome can happen. */
export function signInOutcome(desk: Desk, flowId: string): Promise<DeskEvent> {
  return new Promise((resolve) => {
    const stop = desk.api.subscribe((e) => {
      if ((e.type === 'sign-in-completed' || e.type === 'sign-in-failed') && e.flowId === flowId) {
        stop();
        resolve(e);
      }
    });
  });
}

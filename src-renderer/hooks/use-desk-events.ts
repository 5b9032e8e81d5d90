/** Listening to OIDC Desk's events for as long as a component is mounted. */
import { useEffect, useRef } from 'react';
import type { DeskEvent } from '../../src-main/core/contract.ts';
import { useDesk } from './use-desk.ts';

/** Calls `listener` (its latest version) with every DeskEvent while mounted; unsubscribes on unmount. */
export function useDeskEvents(listener: (event: DeskEvent) => void): void {
  const desk = useDesk();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    if (desk === undefined) return undefined;
    return desk.subscribe((event) => latest.current(event));
  }, [desk]);
}

/** Every session, kept current: listed once, then updated by the session events of every front. */
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DeskEvent, ErrorView, SessionView } from '../../src-main/core/contract.ts';
import { callOperation } from '../format/call.ts';
import { compareSessions } from '../format/order.ts';
import { useDesk } from './use-desk.ts';
import { useDeskEvents } from './use-desk-events.ts';

/** What {@link useSessions} returns. */
export interface Sessions {
  /** In a stable order: by profile, then by creation. */
  readonly list: readonly SessionView[];
  readonly byId: ReadonlyMap<string, SessionView>;
  readonly loaded: boolean;
  readonly error: ErrorView | undefined;
}

type Change = { readonly put: SessionView } | { readonly remove: string };

function changeOf(event: DeskEvent): Change | undefined {
  switch (event.type) {
    case 'session-added':
    case 'session-updated':
      return { put: event.session };
    case 'sign-in-completed':
      return { put: event.session };
    case 'session-removed':
      return { remove: event.sessionId };
    default:
      return undefined;
  }
}

function apply(map: ReadonlyMap<string, SessionView>, change: Change): ReadonlyMap<string, SessionView> {
  const next = new Map(map);
  if ('put' in change) next.set(change.put.id, change.put);
  else next.delete(change.remove);
  return next;
}

/** The sessions of this data directory, as every front changes them. */
export function useSessions(): Sessions {
  const desk = useDesk();
  const [byId, setById] = useState<ReadonlyMap<string, SessionView>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ErrorView | undefined>(undefined);
  // Changes heard while the first list is on its way are applied on top of it.
  const early = useRef<Change[] | undefined>([]);

  useDeskEvents((event) => {
    const change = changeOf(event);
    if (change === undefined) return;
    if (early.current !== undefined) early.current.push(change);
    setById((map) => apply(map, change));
  });

  // Asked before the first paint rather than after it: the list is what the window is for.
  useLayoutEffect(() => {
    let current = true;
    void callOperation(desk, 'listSessions', []).then((result) => {
      if (!current) return;
      if (result.ok) {
        let map: ReadonlyMap<string, SessionView> = new Map(result.value.map((s) => [s.id, s]));
        for (const change of early.current ?? []) map = apply(map, change);
        setById(map);
        setError(undefined);
      } else {
        setError(result.error);
      }
      early.current = undefined;
      setLoaded(true);
    });
    return () => {
      current = false;
    };
  }, [desk]);

  const list = useMemo(() => [...byId.values()].sort(compareSessions), [byId]);
  return { list, byId, loaded, error };
}

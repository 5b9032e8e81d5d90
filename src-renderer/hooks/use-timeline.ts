/** A session's exchange timeline: listed once, then grown by the live `timeline` events of that session. */
import { useEffect, useState } from 'react';
import type { ErrorView, TimelineEntry } from '../../src-main/core/contract.ts';
import { callOperation } from '../format/call.ts';
import { useDesk } from './use-desk.ts';
import { useDeskEvents } from './use-desk-events.ts';

/** What {@link useTimeline} returns: the entries oldest first. */
export interface Timeline {
  readonly entries: readonly TimelineEntry[];
  readonly loaded: boolean;
  readonly error: ErrorView | undefined;
}

function merge(list: readonly TimelineEntry[], more: readonly TimelineEntry[]): readonly TimelineEntry[] {
  const byId = new Map(list.map((e) => [e.id, e]));
  for (const entry of more) byId.set(entry.id, entry);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The exchanges of `sessionId`, live. */
export function useTimeline(sessionId: string): Timeline {
  const desk = useDesk();
  const [entries, setEntries] = useState<readonly TimelineEntry[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ErrorView | undefined>(undefined);

  useDeskEvents((event) => {
    if (event.type === 'timeline' && event.entry.context?.sessionId === sessionId) setEntries((list) => merge(list, [event.entry]));
  });

  useEffect(() => {
    let current = true;
    setEntries([]);
    setLoaded(false);
    void callOperation(desk, 'sessionTimeline', [{ sessionId }]).then((result) => {
      if (!current) return;
      if (result.ok) setEntries((live) => merge(result.value, live));
      setError(result.ok ? undefined : result.error);
      setLoaded(true);
    });
    return () => {
      current = false;
    };
  }, [desk, sessionId]);

  return { entries, loaded, error };
}

/** Whether the OS hands each profile's redirect scheme to the app: asked for the profiles given, again on `reload`. */
import { useCallback, useEffect, useState } from 'react';
import type { Result, SchemeStatusView } from '../../src-main/core/contract.ts';
import { callOperation } from '../format/call.ts';
import { useDesk } from './use-desk.ts';

/** What {@link useSchemeStatuses} returns: each profile's last answer (absent until it arrives). */
export interface SchemeStatuses {
  readonly byProfile: ReadonlyMap<string, Result<SchemeStatusView>>;
  reload(): void;
}

/**
 * Asks `schemeStatus` for each of `profiles` when `key` (the caller's summary of the profiles and their
 * redirects) changes, and on `reload`; answers that arrive after a change, or after unmount, are dropped.
 */
export function useSchemeStatuses(profiles: readonly string[], key: string): SchemeStatuses {
  const desk = useDesk();
  const [byProfile, setByProfile] = useState<ReadonlyMap<string, Result<SchemeStatusView>>>(new Map());
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    void Promise.all(profiles.map(async (profile) => [profile, await callOperation(desk, 'schemeStatus', [{ profile }])] as const)).then((answers) => {
      if (current) setByProfile(new Map(answers));
    });
    return () => {
      current = false;
    };
    // `key` stands for `profiles`, a new array at every render.
  }, [desk, key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { byProfile, reload };
}

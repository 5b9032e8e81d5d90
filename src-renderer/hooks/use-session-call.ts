/**
 * A revocation, run on demand: like `useDeskCall`, and the session it answers with goes into the window's
 * list at once, since the core announces no event for it. (A refresh is announced, after its answer is
 * made: putting its answer could bring back a `refreshing` state the event already ended.)
 */
import { useCallback, useContext } from 'react';
import type { SessionView } from '../../src-main/core/contract.ts';
import { useDeskCall, type DeskCall } from './use-desk-call.ts';
import { SessionPutContext } from './session-put-context.ts';
import type { OperationArgs } from '../format/call.ts';

type SessionOperation = 'revokeToken';

/** The call, with its successful answer put into the session list. */
export function useSessionCall<K extends SessionOperation>(operation: K): DeskCall<K> {
  const call = useDeskCall(operation);
  const put = useContext(SessionPutContext);
  const callRun = call.run;
  const run = useCallback(async (...args: OperationArgs<K>) => {
    const result = await callRun(...args);
    if (result.ok) put(result.value as SessionView);
    return result;
  }, [callRun, put]);
  return { state: call.state, reset: call.reset, run };
}

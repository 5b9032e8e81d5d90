/** An operation run on demand (a button): its state while it runs and its last result. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result } from '../../src-main/core/contract.ts';
import type { DeskOperation } from '../api.ts';
import { callOperation, type OperationArgs, type OperationValue } from '../format/call.ts';
import { useDesk } from './use-desk.ts';

/** Where an on-demand call is. */
export type CallState<T> =
  | { readonly status: 'idle' }
  | { readonly status: 'pending' }
  | { readonly status: 'done'; readonly result: Result<T> };

/** What {@link useDeskCall} returns. */
export interface DeskCall<K extends DeskOperation> {
  readonly state: CallState<OperationValue<K>>;
  run(...args: OperationArgs<K>): Promise<Result<OperationValue<K>>>;
  reset(): void;
}

/** Runs `operation` when `run` is called; only the latest call's outcome is kept, and none after unmount. */
export function useDeskCall<K extends DeskOperation>(operation: K): DeskCall<K> {
  const desk = useDesk();
  const [state, setState] = useState<CallState<OperationValue<K>>>({ status: 'idle' });
  const latest = useRef(0);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (...args: OperationArgs<K>) => {
    const call = ++latest.current;
    setState({ status: 'pending' });
    const result = await callOperation(desk, operation, args);
    if (mounted.current && call === latest.current) setState({ status: 'done', result });
    return result;
  }, [desk, operation]);
  const reset = useCallback(() => {
    latest.current += 1;
    setState({ status: 'idle' });
  }, []);
  return { state, run, reset };
}

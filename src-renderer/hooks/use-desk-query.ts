/** An operation whose result a view shows: run on mount and whenever its key changes, and on `reload`. */
import { useCallback, useLayoutEffect, useState } from 'react';
import type { Result } from '../../src-main/core/contract.ts';
import type { DeskOperation } from '../api.ts';
import { callOperation, type OperationArgs, type OperationValue } from '../format/call.ts';
import { useDesk } from './use-desk.ts';

/** What {@link useDeskQuery} returns: the last result (undefined until the first arrives) and whether a call runs. */
export interface DeskQuery<T> {
  readonly result: Result<T> | undefined;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Runs `operation` with `args` now and again when `key` changes (the caller's summary of what the args
 * depend on); a result that arrives after the key changed, or after unmount, is dropped.
 */
export function useDeskQuery<K extends DeskOperation>(operation: K, key: string, ...args: OperationArgs<K>): DeskQuery<OperationValue<K>> {
  const desk = useDesk();
  const [result, setResult] = useState<Result<OperationValue<K>> | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  // Asked before the browser paints (the call itself is asynchronous): the answer comes a frame sooner.
  useLayoutEffect(() => {
    let current = true;
    setLoading(true);
    void callOperation(desk, operation, args).then((r) => {
      if (!current) return;
      setResult(r);
      setLoading(false);
    });
    return () => {
      current = false;
    };
    // `key` stands for `args`, which are a new array at every render.
  }, [desk, operation, key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { result, loading, reload };
}

/** The outcome of an on-demand call: what it answered, or its error in plain words with the fix. */
import type { ReactNode } from 'react';
import type { CallState } from '../hooks/use-desk-call.ts';
import { ErrorNotice } from './error-notice.tsx';

export type Props<T> = {
  readonly state: CallState<T>;
  /** What was done, named in the error notice ("Revocation"). */
  readonly action: string;
  readonly onDismiss: () => void;
  readonly children: (value: T) => ReactNode;
};

/** Nothing while idle or pending; `children(value)` on success; an error notice on failure. */
export function CallResult<T>({ state, action, onDismiss, children }: Props<T>) {
  if (state.status !== 'done') return null;
  return state.result.ok ? <>{children(state.result.value)}</> : <ErrorNotice error={state.result.error} action={action} onDismiss={onDismiss} />;
}

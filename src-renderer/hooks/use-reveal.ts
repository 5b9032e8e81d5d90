/**
 * The full value of a session's access or ID token, asked for by an explicit action (`revealToken`):
 * shown until hidden, for at most a minute, or copied to the clipboard without being shown. Never a refresh token.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorView } from '../../src-main/core/contract.ts';
import { callOperation } from '../format/call.ts';
import { useDesk } from './use-desk.ts';

/** How long a revealed value stays on screen. */
export const REVEAL_MS = 60_000;

/** What {@link useReveal} returns. */
export interface Reveal {
  /** The value while revealed. */
  readonly value: string | undefined;
  readonly busy: boolean;
  readonly copied: boolean;
  readonly error: ErrorView | undefined;
  reveal(): Promise<void>;
  hide(): void;
  copy(): Promise<void>;
}

/** Reveal and copy for one token of one session; `version` (its fingerprint) changing hides a value shown. */
export function useReveal(sessionId: string, type: 'access' | 'id', version: string): Reveal {
  const desk = useDesk();
  const [value, setValue] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<ErrorView | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const hide = useCallback(() => {
    clearTimeout(timer.current);
    setValue(undefined);
    setCopied(false);
  }, []);

  // Another token (a refresh), another session, or leaving the view: nothing stays revealed.
  useEffect(() => hide, [sessionId, type, version, hide]);

  const fetchValue = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    const result = await callOperation(desk, 'revealToken', [{ sessionId, type }]);
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return undefined;
    }
    return result.value.value;
  }, [desk, sessionId, type]);

  const reveal = useCallback(async () => {
    const token = await fetchValue();
    if (token === undefined) return;
    setValue(token);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setValue(undefined), REVEAL_MS);
  }, [fetchValue]);

  const copy = useCallback(async () => {
    setCopied(false);
    const token = value ?? (await fetchValue());
    if (token === undefined) return;
    try {
      await navigator.clipboard.writeText(token);
      setCopied(true);
    } catch {
      setError({ code: 'INTERNAL', message: 'The clipboard refused the text: this browser allows copying only after a click in the page.' });
    }
  }, [value, fetchValue]);

  return { value, busy, copied, error, reveal, hide, copy };
}

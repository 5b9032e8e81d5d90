/** Copies a text the window shows anyway (a device sign-in's user code) to the clipboard, and says whether it worked. */
import { useCallback, useEffect, useRef, useState } from 'react';

/** What {@link useCopyText} returns. */
export interface CopyText {
  /** `copied` for a few seconds after a copy, `refused` when the browser did not allow it. */
  readonly state: 'idle' | 'copied' | 'refused';
  copy(text: string): Promise<void>;
}

/** How long "Copied" stays. */
const SHOWN_MS = 4000;

/** The copy action of one control. */
export function useCopyText(): CopyText {
  const [state, setState] = useState<CopyText['state']>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = useCallback(async (text: string) => {
    clearTimeout(timer.current);
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
      timer.current = setTimeout(() => setState('idle'), SHOWN_MS);
    } catch {
      setState('refused');
    }
  }, []);
  return { state, copy };
}

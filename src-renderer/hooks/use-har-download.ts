/** Exporting a session's timeline as a HAR 1.2 file (still masked) and handing it to the browser as a download. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorView } from '../../src-main/core/contract.ts';
import { callOperation } from '../format/call.ts';
import { useDesk } from './use-desk.ts';

/** What {@link useHarDownload} returns. */
export interface HarDownload {
  readonly busy: boolean;
  readonly error: ErrorView | undefined;
  /** The file name of the last download. */
  readonly saved: string | undefined;
  download(): Promise<void>;
}

/** The file name of a session's export, e.g. `oidc-desk-s-1a2b3c4d.har`. */
export function harFileName(sessionId: string): string {
  return `oidc-desk-${sessionId.replace(/[^A-Za-z0-9._-]/g, '_')}.har`;
}

/** Downloads the HAR of `sessionId` through an object URL, released once the browser has it. */
export function useHarDownload(sessionId: string): HarDownload {
  const desk = useDesk();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorView | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const urls = useRef(new Set<string>());

  useEffect(() => {
    const held = urls.current;
    return () => {
      for (const url of held) URL.revokeObjectURL(url);
      held.clear();
    };
  }, []);

  const download = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    const result = await callOperation(desk, 'exportHar', [{ sessionId }]);
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const name = harFileName(sessionId);
    const url = URL.createObjectURL(new Blob([JSON.stringify(result.value, null, 2)], { type: 'application/json' }));
    urls.current.add(url);
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
    setSaved(name);
    setTimeout(() => {
      URL.revokeObjectURL(url);
      urls.current.delete(url);
    }, 60_000);
  }, [desk, sessionId]);

  return { busy, error, saved, download };
}

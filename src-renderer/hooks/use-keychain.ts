/** The keychain's state, asked once and then followed through the `keychain` events. */
import { useEffect, useState } from 'react';
import type { ErrorView, KeychainView } from '../../src-main/core/contract.ts';
import { callOperation } from '../format/call.ts';
import { useDesk } from './use-desk.ts';
import { useDeskEvents } from './use-desk-events.ts';

/** The keychain view, or the error that kept it from being known. */
export function useKeychain(): { readonly keychain: KeychainView | undefined; readonly error: ErrorView | undefined } {
  const desk = useDesk();
  const [keychain, setKeychain] = useState<KeychainView | undefined>(undefined);
  const [error, setError] = useState<ErrorView | undefined>(undefined);
  useDeskEvents((event) => {
    if (event.type === 'keychain') setKeychain(event.keychain);
  });
  useEffect(() => {
    let current = true;
    void callOperation(desk, 'keychainStatus', []).then((result) => {
      if (!current) return;
      if (result.ok) setKeychain((heard) => heard ?? result.value);
      setError(result.ok ? undefined : result.error);
    });
    return () => {
      current = false;
    };
  }, [desk]);
  return { keychain, error };
}

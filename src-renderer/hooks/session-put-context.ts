/** Where a view hands a session it got back from an operation (a refresh, a revocation), so every view shows the newest. */
import { createContext } from 'react';
import type { SessionView } from '../../src-main/core/contract.ts';

/** Puts a session into the window's session list; the default (outside the app) does nothing. */
export const SessionPutContext = createContext<(session: SessionView) => void>(() => undefined);

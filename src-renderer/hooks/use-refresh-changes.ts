/** What the last refresh changed for a session: its access token and expiry, and its ID token's claims (the claim diff). */
import { useState } from 'react';
import type { SessionView } from '../../src-main/core/contract.ts';
import { diffClaims, type ClaimChange } from '../format/claims.ts';

/** The changes from the tokens this view showed before to the ones it shows now. */
export interface RefreshChanges {
  readonly access: { readonly before: string | undefined; readonly after: string | undefined; readonly expiresBefore: number | undefined; readonly expiresAfter: number | undefined };
  /** Undefined when no new ID token came (the previous one is kept, OIDC Core §12.2). */
  readonly claims: readonly ClaimChange[] | undefined;
  /** When the new ID token was received, if one came. */
  readonly idTokenReceivedAt: number | undefined;
}

type Tokens = {
  readonly sessionId: string;
  readonly access: string | undefined;
  readonly expiresAt: number | undefined;
  /** The ID token's version: a refresh may bring a byte-identical one within the same second. */
  readonly id: string | undefined;
  readonly claims: Readonly<Record<string, unknown>> | undefined;
};

function tokensOf(session: SessionView): Tokens {
  const id = session.idToken;
  return { sessionId: session.id, access: session.accessToken?.fingerprint, expiresAt: session.expiresAt, id: id === undefined ? undefined : `${id.fingerprint}@${id.receivedAt}`, claims: id?.claims };
}

/**
 * The changes of the session's newest tokens against those this view showed before (a refresh, manual or
 * automatic); undefined until new tokens arrive while the view is open.
 */
export function useRefreshChanges(session: SessionView): RefreshChanges | undefined {
  const now = tokensOf(session);
  const [seen, setSeen] = useState<{ readonly tokens: Tokens; readonly changes: RefreshChanges | undefined }>({ tokens: now, changes: undefined });
  const before = seen.tokens;
  if (before.sessionId !== now.sessionId) {
    setSeen({ tokens: now, changes: undefined });
    return undefined;
  }
  const newAccess = now.access !== undefined && now.access !== before.access;
  const newId = now.id !== undefined && now.id !== before.id;
  if ((newAccess || newId) && before.access === undefined && before.id === undefined) {
    // Tokens this view had not seen any of (loaded after it opened): nothing to compare with.
    setSeen({ tokens: now, changes: undefined });
    return undefined;
  }
  if (newAccess || newId) {
    const changes: RefreshChanges = {
      access: { before: before.access, after: now.access, expiresBefore: before.expiresAt, expiresAfter: now.expiresAt },
      claims: newId && before.claims !== undefined && now.claims !== undefined ? diffClaims(before.claims, now.claims) : undefined,
      idTokenReceivedAt: newId ? session.idToken?.receivedAt : undefined,
    };
    setSeen({ tokens: now, changes });
    return changes;
  }
  return seen.changes;
}

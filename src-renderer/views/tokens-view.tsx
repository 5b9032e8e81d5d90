/** The tokens of a session: access, ID and refresh, each with what can be done with it, and what the last refresh changed. */
import type { SessionView } from '../../src-main/core/contract.ts';
import type { RefreshChanges } from '../hooks/use-refresh-changes.ts';
import { AccessTokenCard } from './access-token-card.tsx';
import { IdTokenCard } from './id-token-card.tsx';
import { RefreshChangesView } from './refresh-changes-view.tsx';
import { RefreshTokenCard } from './refresh-token-card.tsx';

export type Props = {
  readonly session: SessionView;
  readonly changes: RefreshChanges | undefined;
};

/** The three cards, after what the last refresh changed. */
export function TokensView({ session, changes }: Props) {
  return (
    <div className="stack tokens">
      {changes === undefined ? null : <RefreshChangesView changes={changes} />}
      <AccessTokenCard session={session} />
      {session.flow === 'client_credentials' ? (
        // No user: no ID token; no refresh token (RFC 6749 §4.4.3). Refresh runs the grant again.
        <p className="note" data-client-session="true">A client credentials session: a token for the client itself, with no user, no ID token and no refresh token. Refresh asks the provider for a new token with the client’s credential.</p>
      ) : (
        <>
          <IdTokenCard session={session} />
          <RefreshTokenCard session={session} />
        </>
      )}
    </div>
  );
}

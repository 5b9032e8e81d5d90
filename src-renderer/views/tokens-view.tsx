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
      <IdTokenCard session={session} />
      <RefreshTokenCard session={session} />
    </div>
  );
}

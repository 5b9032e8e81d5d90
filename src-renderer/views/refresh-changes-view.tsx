/** What the last refresh changed: a new access token and its expiry, and the ID token's claim diff. */
import { ClaimDiffTable } from '../components/claim-diff-table.tsx';
import { formatDateTime } from '../format/time.ts';
import type { RefreshChanges } from '../hooks/use-refresh-changes.ts';

export type Props = {
  readonly changes: RefreshChanges;
};

const when = (ms: number | undefined): string => (ms === undefined ? 'unknown' : formatDateTime(ms));

/** The panel. */
export function RefreshChangesView({ changes }: Props) {
  const { access, claims } = changes;
  return (
    <section className="panel panel--inner" aria-labelledby="refresh-changes-title" data-refresh-changes="true">
      <h3 id="refresh-changes-title">What the refresh changed</h3>
      <dl className="facts">
        <dt>Access token</dt>
        <dd className="mono wrap" data-access-changed={access.before !== access.after}>
          {access.before === access.after ? 'the same' : `${access.before ?? 'none'} → ${access.after ?? 'none'}`}
        </dd>
        <dt>Expires</dt>
        <dd data-expiry-changed={access.expiresBefore !== access.expiresAfter}>
          {access.expiresBefore === access.expiresAfter ? when(access.expiresAfter) : `${when(access.expiresBefore)} → ${when(access.expiresAfter)}`}
        </dd>
      </dl>
      {claims === undefined ? (
        <p>No new ID token came with this refresh: the sign-in’s is kept (OpenID Connect Core §12.2).</p>
      ) : (
        <>
          <p className="muted">New ID token received {when(changes.idTokenReceivedAt)}.</p>
          <ClaimDiffTable changes={claims} />
        </>
      )}
    </section>
  );
}

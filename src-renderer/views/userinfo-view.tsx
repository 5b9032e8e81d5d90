/** Userinfo: the provider's claims compared with the ID token's (same, only here, only in the ID token, different), and the raw JSON. */
import type { SessionView, UserinfoClaimComparison } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { JsonView } from '../components/json-view.tsx';
import { LongText } from '../components/long-text.tsx';
import { claimText } from '../format/claims.ts';
import { useDeskQuery } from '../hooks/use-desk-query.ts';

export type Props = {
  readonly session: SessionView;
};

const RELATION_WORDS: Readonly<Record<UserinfoClaimComparison['relation'], string>> = {
  same: 'same',
  'only-userinfo': 'only here',
  'only-id-token': 'only in the ID token',
  different: 'different',
};

function Cell({ value }: { readonly value: unknown }) {
  return value === undefined ? <span className="muted">—</span> : <LongText className="mono" text={claimText(value)} />;
}

/** The view: asks the userinfo endpoint when opened, and again on demand. */
export function UserinfoView({ session }: Props) {
  const query = useDeskQuery('getUserinfo', session.id, { sessionId: session.id });
  const result = query.result;
  return (
    <div className="stack userinfo">
      <div className="actions">
        <button type="button" className="button" onClick={query.reload} disabled={query.loading}>
          {query.loading ? 'Asking the provider…' : 'Ask again'}
        </button>
      </div>
      {result === undefined ? null : !result.ok ? (
        <ErrorNotice error={result.error} action="Userinfo" />
      ) : (
        <>
          <table className="table comparison">
            <caption>Userinfo claims compared with the ID token’s</caption>
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Userinfo</th>
                <th scope="col">ID token</th>
                <th scope="col">Compared</th>
              </tr>
            </thead>
            <tbody>
              {result.value.comparison.map((row) => (
                <tr key={row.claim} data-claim={row.claim} data-relation={row.relation}>
                  <th scope="row" className="mono wrap">{row.claim}</th>
                  <td className="wrap"><Cell value={row.userinfo} /></td>
                  <td className="wrap"><Cell value={row.idToken} /></td>
                  <td>
                    <span className={`relation relation--${row.relation}`}>{RELATION_WORDS[row.relation]}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>Raw userinfo response</h4>
          <JsonView value={result.value.claims} label="Userinfo response as JSON" />
        </>
      )}
    </div>
  );
}

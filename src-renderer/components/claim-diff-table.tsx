/** What a refresh changed in the ID token's claims: added, removed and changed claims, before and after. */
import type { ClaimChange } from '../format/claims.ts';
import { claimText, claimTime } from '../format/claims.ts';
import { LongText } from './long-text.tsx';

export type Props = {
  readonly changes: readonly ClaimChange[];
};

function Value({ name, value }: { readonly name: string; readonly value: unknown }) {
  if (value === undefined) return <span className="muted">—</span>;
  const time = claimTime(name, value);
  return (
    <>
      <LongText className="mono" text={claimText(value)} />
      {time === undefined ? null : <span className="muted">{` (${time})`}</span>}
    </>
  );
}

/** The table, or a line saying nothing changed. */
export function ClaimDiffTable({ changes }: Props) {
  if (changes.length === 0) return <p>The new ID token has the same claims as the previous one.</p>;
  return (
    <table className="table claim-diff">
      <caption>Claims changed by the refresh</caption>
      <thead>
        <tr>
          <th scope="col">Claim</th>
          <th scope="col">Change</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.claim} data-claim={c.claim} data-change={c.change}>
            <th scope="row" className="mono wrap">{c.claim}</th>
            <td>{c.change}</td>
            <td className="wrap"><Value name={c.claim} value={c.before} /></td>
            <td className="wrap"><Value name={c.claim} value={c.after} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

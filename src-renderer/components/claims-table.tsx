/** Claims as a table: name, value (as text, wrapping), and the readable time of time claims. */
import { claimText, claimTime } from '../format/claims.ts';
import { LongText } from './long-text.tsx';

export type Props = {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly caption: string;
};

/** One row per claim, in the token's order. */
export function ClaimsTable({ claims, caption }: Props) {
  const entries = Object.entries(claims);
  return (
    <table className="table claims">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Claim</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {entries.length === 0 ? (
          <tr>
            <td colSpan={2}>No claims.</td>
          </tr>
        ) : entries.map(([name, value]) => {
          const time = claimTime(name, value);
          return (
            <tr key={name}>
              <th scope="row" className="mono wrap">{name}</th>
              <td className="wrap">
                <LongText className="mono" text={claimText(value)} />
                {time === undefined ? null : <span className="muted">{` (${time})`}</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

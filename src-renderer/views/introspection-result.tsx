/** What RFC 7662 introspection said about a token. */
import type { IntrospectionView } from '../../src-main/core/contract.ts';
import { formatDateTime } from '../format/time.ts';

export type Props = {
  readonly result: IntrospectionView;
};

/** Active or not, and the fields the provider gave. */
export function IntrospectionResult({ result }: Props) {
  return (
    <div className="notice" role="status" data-introspection={result.token} data-active={result.active}>
      <p>
        The provider says the {result.token} token is <strong>{result.active ? 'active' : 'not active'}</strong>.
      </p>
      <dl className="facts">
        {result.scope === undefined ? null : (<><dt>Scope</dt><dd className="mono wrap">{result.scope}</dd></>)}
        {result.clientId === undefined ? null : (<><dt>Client</dt><dd className="mono wrap">{result.clientId}</dd></>)}
        {result.sub === undefined ? null : (<><dt>Subject</dt><dd className="mono wrap">{result.sub}</dd></>)}
        {result.tokenType === undefined ? null : (<><dt>Token type</dt><dd className="mono wrap">{result.tokenType}</dd></>)}
        {result.exp === undefined ? null : (<><dt>Expires</dt><dd>{formatDateTime(result.exp * 1000)}</dd></>)}
      </dl>
    </div>
  );
}

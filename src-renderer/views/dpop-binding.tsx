/** A DPoP-bound access token's binding (RFC 9449), as its card shows it: bound to this session's key, whose thumbprint only is known here. */
import type { DpopView } from '../../src-main/core/contract.ts';

export type Props = {
  readonly dpop: DpopView;
};

const SHOWN_BY: Readonly<Record<NonNullable<DpopView['accessTokenBinding']>, string>> = {
  cnf: 'its cnf.jkt claim, which equals the key’s thumbprint (checked when it arrived)',
  'token-type': 'the provider’s token_type DPoP (an opaque token says no more; a token bound to another key would have been refused)',
};

/** The binding facts. */
export function DpopBinding({ dpop }: Props) {
  return (
    <div className="note dpop-binding" data-dpop-binding={dpop.accessTokenBinding ?? 'none'}>
      <p>
        <strong>Bound to this session’s key</strong> (DPoP, RFC 9449): an API accepts this token only with a proof signed by that key, which stays in the OS keychain and is never shown.
      </p>
      <dl className="facts">
        <dt>Key thumbprint</dt>
        <dd className="mono wrap" data-jkt="true">{dpop.jkt}</dd>
        {dpop.accessTokenBinding === undefined ? null : (
          <>
            <dt>Bound as shown by</dt>
            <dd>{SHOWN_BY[dpop.accessTokenBinding]}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

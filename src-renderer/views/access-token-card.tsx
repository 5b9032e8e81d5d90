/** The access token: presence, format, expiry with a live countdown, scopes, masked value with reveal and copy, introspect and revoke. */
import type { SessionView } from '../../src-main/core/contract.ts';
import { ClaimsTable } from '../components/claims-table.tsx';
import { Countdown } from '../components/countdown.tsx';
import { CallResult } from '../components/call-result.tsx';
import { JsonView } from '../components/json-view.tsx';
import { MaskedValue } from '../components/masked-value.tsx';
import { decodeJwtParts } from '../format/claims.ts';
import { formatDateTime } from '../format/time.ts';
import { useDeskCall } from '../hooks/use-desk-call.ts';
import { DpopBinding } from './dpop-binding.tsx';
import { IntrospectionResult } from './introspection-result.tsx';

export type Props = {
  readonly session: SessionView;
};

function Decoded({ value }: { readonly value: string }) {
  const parts = decodeJwtParts(value);
  if (parts === undefined) return <p className="muted">The value does not decode as a JWT.</p>;
  return (
    <div className="stack">
      <p className="note">Decoded only: an access token is for the API it was issued for, which verifies it; OIDC Desk does not.</p>
      <h5>Header</h5>
      <JsonView value={parts.header} label="Access token header" />
      <ClaimsTable claims={parts.claims} caption="Access token claims (decoded, not verified)" />
    </div>
  );
}

/** The card. */
export function AccessTokenCard({ session }: Props) {
  const token = session.accessToken;
  const introspect = useDeskCall('introspectToken');
  const revoke = useDeskCall('revokeToken');
  return (
    <section className="panel panel--inner token-card" aria-labelledby="access-token-title" data-token="access">
      <h3 id="access-token-title">Access token</h3>
      {token === undefined && session.legacy?.accessToken === 'none' ? (
        <p data-no-access-token="true">None: the response type {session.legacy.responseType} brings an ID token only.</p>
      ) : token === undefined ? (
        <p>Not held by this process{session.hasRefreshToken ? ': a refresh gets a new one.' : '.'}</p>
      ) : (
        <>
          <dl className="facts">
            <dt>Format</dt>
            <dd data-format={token.format}>
              {token.format === 'jwt' ? 'JWT (a signed token OIDC Desk can decode)' : 'Opaque: only the provider and the API can read it; there is nothing to decode.'}
            </dd>
            <dt>Expires</dt>
            <dd>
              {session.expiresAt === undefined ? 'unknown' : (
                <>
                  {formatDateTime(session.expiresAt)} (<Countdown until={session.expiresAt} pastPrefix="expired" />)
                </>
              )}
            </dd>
            <dt>Scopes</dt>
            <dd className="mono wrap">{session.scopes.join(' ')}</dd>
          </dl>
          {session.dpop === undefined ? null : <DpopBinding dpop={session.dpop} />}
          <MaskedValue sessionId={session.id} type="access" token={token}>
            {(value) => (value === undefined || token.format !== 'jwt' ? null : <Decoded value={value} />)}
          </MaskedValue>
        </>
      )}
      <div className="actions">
        <button type="button" className="button button--small" onClick={() => void introspect.run({ sessionId: session.id, token: 'access' })} disabled={introspect.state.status === 'pending'}>
          Introspect access token
        </button>
        <button type="button" className="button button--small" onClick={() => void revoke.run({ sessionId: session.id, token: 'access' })} disabled={revoke.state.status === 'pending' || token === undefined}>
          Revoke access token
        </button>
      </div>
      <CallResult state={introspect.state} action="Introspection" onDismiss={introspect.reset}>
        {(result) => <IntrospectionResult result={result} />}
      </CallResult>
      <CallResult state={revoke.state} action="Revocation" onDismiss={revoke.reset}>
        {() => <p className="notice notice--ok" role="status">The access token was revoked at the provider.</p>}
      </CallResult>
    </section>
  );
}

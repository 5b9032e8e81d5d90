/** The refresh token: present or not and where it is kept, never its value; introspect and revoke (which ends the grant). */
import { useState } from 'react';
import type { SessionView } from '../../src-main/core/contract.ts';
import { CallResult } from '../components/call-result.tsx';
import { useDeskCall } from '../hooks/use-desk-call.ts';
import { IntrospectionResult } from './introspection-result.tsx';

export type Props = {
  readonly session: SessionView;
};

/** The card. */
export function RefreshTokenCard({ session }: Props) {
  const introspect = useDeskCall('introspectToken');
  const revoke = useDeskCall('revokeToken');
  const [confirming, setConfirming] = useState(false);
  const held = session.hasRefreshToken;
  return (
    <section className="panel panel--inner token-card" aria-labelledby="refresh-token-title" data-token="refresh">
      <h3 id="refresh-token-title">Refresh token</h3>
      <p data-present={held}>
        {held
          ? session.storage === 'keychain'
            ? 'Held in the OS keychain. Its value is never shown: it goes only to the provider that issued it.'
            : 'Held in memory only (session-only): it is lost when OIDC Desk stops. Its value is never shown.'
          : session.legacy?.flow === 'implicit'
            ? 'None: the implicit flow issues no refresh token. Once the access token has run out, sign in again (nothing signs in silently).'
            : 'None. The provider issued no refresh token (often: offline_access was not requested or not granted), or it was revoked.'}
      </p>
      <div className="actions">
        <button type="button" className="button button--small" disabled={!held || introspect.state.status === 'pending'} onClick={() => void introspect.run({ sessionId: session.id, token: 'refresh' })}>
          Introspect refresh token
        </button>
        {confirming ? (
          <>
            <span>Revoking ends this session’s grant: you will need to sign in again.</span>
            <button type="button" className="button button--small button--danger" onClick={() => {
              setConfirming(false);
              void revoke.run({ sessionId: session.id, token: 'refresh' });
            }}>
              Revoke it
            </button>
            <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="button button--small" disabled={!held || revoke.state.status === 'pending'} onClick={() => setConfirming(true)}>
            Revoke refresh token…
          </button>
        )}
      </div>
      <CallResult state={introspect.state} action="Introspection" onDismiss={introspect.reset}>
        {(result) => <IntrospectionResult result={result} />}
      </CallResult>
      <CallResult state={revoke.state} action="Revocation" onDismiss={revoke.reset}>
        {() => <p className="notice notice--ok" role="status">The refresh token was revoked. Sign in again to use this profile.</p>}
      </CallResult>
    </section>
  );
}

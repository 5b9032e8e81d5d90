/** A confidential profile's client credential: the client secret (write-only: the window only learns that one is set) and the private_key_jwt public key to register. */
import { useEffect, useState, type FormEvent } from 'react';
import type { ProfileView } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { useDeskCall } from '../hooks/use-desk-call.ts';

export type Props = {
  readonly profile: ProfileView;
};

/** The panel. */
export function ClientCredentialPanel({ profile }: Props) {
  const view = useDeskCall('clientCredential');
  const setSecret = useDeskCall('setClientSecret');
  const generate = useDeskCall('generateClientKey');
  const [secret, setSecretText] = useState('');
  const load = view.run;
  useEffect(() => {
    void load({ profile: profile.name });
  }, [load, profile.name]);

  const latest = [generate.state, setSecret.state, view.state].find((s) => s.status === 'done' && s.result.ok);
  const credential = latest?.status === 'done' && latest.result.ok ? latest.result.value : undefined;
  const problem = [setSecret.state, generate.state, view.state].find((s) => s.status === 'done' && !s.result.ok);
  const usesKey = profile.clientAuth === 'private_key_jwt';

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (secret === '') return;
    const result = await setSecret.run({ profile: profile.name, secret });
    // The value leaves the page's state at once, whatever the answer: it is never shown again.
    setSecretText('');
    if (result.ok) generate.reset();
  };

  return (
    <section className="panel panel--inner client-credential" aria-labelledby="client-credential-title">
      <h3 id="client-credential-title">Client credential</h3>
      <p className="muted">Kept in the OS keychain only, bound to this issuer and client id; it is never shown again.</p>
      {usesKey ? (
        <>
          <p>
            Key pair for private_key_jwt: <strong data-key-state="true">{credential?.publicKey === null || credential === undefined ? 'none yet' : 'made'}</strong>
          </p>
          {credential?.publicKey ? (
            <>
              <p>
                Register this public key for the client at the provider (its JWKS). Thumbprint (kid): <code className="wrap" data-thumbprint="true">{credential.publicKey.thumbprint}</code>
              </p>
              <pre className="json wrap" aria-label="Public JWK to register" data-public-jwk="true">{JSON.stringify({ keys: [credential.publicKey.jwk] }, null, 2)}</pre>
            </>
          ) : null}
          <div className="actions">
            <button type="button" className="button" onClick={() => void generate.run({ profile: profile.name })} disabled={generate.state.status === 'pending'}>
              {credential?.publicKey ? 'Make a new key pair' : 'Make a key pair'}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={(e) => void onSubmit(e)} noValidate>
          <p>
            Client secret: <strong data-secret-state="true">{credential?.secretSet === true ? 'set' : 'not set'}</strong>
          </p>
          <div className="field">
            <label htmlFor="client-secret">{credential?.secretSet === true ? 'Replace the client secret' : 'Client secret'}</label>
            <input id="client-secret" type="password" value={secret} onChange={(e) => setSecretText(e.target.value)} autoComplete="off" spellCheck={false} />
          </div>
          <div className="actions">
            <button type="submit" className="button" disabled={secret === '' || setSecret.state.status === 'pending'}>
              Save secret
            </button>
          </div>
        </form>
      )}
      {problem?.status === 'done' && !problem.result.ok ? <ErrorNotice error={problem.result.error} action="The client credential" /> : null}
    </section>
  );
}

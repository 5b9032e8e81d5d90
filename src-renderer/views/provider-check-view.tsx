/** The compatibility summary of "Check provider": what the provider's metadata announces that matters to a native client. */
import type { ProviderCheck } from '../../src-main/core/contract.ts';

export type Props = {
  readonly check: ProviderCheck;
};

type Feature = ProviderCheck['features'][number];

const FEATURE_NAMES: Readonly<Record<Feature['id'], string>> = {
  'pkce-s256': 'PKCE with S256',
  'iss-parameter': 'Issuer in the sign-in answer (RFC 9207)',
  'refresh-token': 'Refresh tokens',
  revocation: 'Revocation (RFC 7009)',
  introspection: 'Introspection (RFC 7662)',
  'rp-initiated-logout': 'Sign-out at the provider (RP-initiated logout)',
  'device-authorization': 'Device authorization grant (RFC 8628)',
  par: 'Pushed authorization requests (RFC 9126)',
  dpop: 'DPoP sender-constrained tokens (RFC 9449)',
};

const STATUS_WORDS: Readonly<Record<Feature['status'], string>> = {
  supported: 'supported',
  'not-supported': 'not supported',
  unknown: 'not stated',
};

/** Features, warnings and endpoints. */
export function ProviderCheckView({ check }: Props) {
  return (
    <section className="panel panel--inner provider-check" aria-labelledby="provider-check-title" data-provider-check="true">
      <h3 id="provider-check-title">What the provider supports</h3>
      <p className="muted">
        Read from <span className="mono wrap">{check.metadataDocument.url}</span> ({check.metadataDocument.kind === 'openid-discovery' ? 'OpenID Connect Discovery' : 'RFC 8414'}).
      </p>
      {check.warnings.length === 0 ? (
        <p className="notice notice--ok">Nothing stands in the way of a native client.</p>
      ) : (
        <ul className="notice notice--warn" aria-label="Warnings">
          {check.warnings.map((w) => (
            <li key={w} className="wrap">{w}</li>
          ))}
        </ul>
      )}
      <table className="table features">
        <caption>Capabilities</caption>
        <thead>
          <tr>
            <th scope="col">Capability</th>
            <th scope="col">Status</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {check.features.map((f) => (
            <tr key={f.id} data-feature={f.id} data-status={f.status}>
              <th scope="row">{FEATURE_NAMES[f.id] ?? f.id}</th>
              <td>
                <span className={`result result--${f.status}`}>{STATUS_WORDS[f.status]}</span>
              </td>
              <td className="wrap">{f.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>Endpoints</summary>
        <dl className="facts">
          {Object.entries(check.endpoints).map(([name, url]) => (
            <div key={name} className="facts__row">
              <dt className="mono">{name}</dt>
              <dd className="mono wrap">{url}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}

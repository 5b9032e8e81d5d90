/** The ID token: presence, decoded header and claims with readable times, a live expiry countdown, the verification report, masked value with reveal and copy. */
import type { SessionView } from '../../src-main/core/contract.ts';
import { ClaimsTable } from '../components/claims-table.tsx';
import { Countdown } from '../components/countdown.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { JsonView } from '../components/json-view.tsx';
import { MaskedValue } from '../components/masked-value.tsx';
import { VerificationReport } from '../components/verification-report.tsx';
import { formatDateTime } from '../format/time.ts';
import { useDeskQuery } from '../hooks/use-desk-query.ts';

export type Props = {
  readonly session: SessionView;
};

type IdToken = NonNullable<SessionView['idToken']>;

function Held({ session, token }: { readonly session: SessionView; readonly token: IdToken }) {
  const inspection = useDeskQuery('inspectJwt', `${session.id} ${token.fingerprint}`, { sessionId: session.id });
  const result = inspection.result;
  const report = result?.ok === true ? result.value.report : undefined;
  const claims = report?.claims ?? token.claims;
  const exp = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : undefined;
  return (
    <>
      <dl className="facts">
        <dt>Expires</dt>
        <dd>
          {exp === undefined ? 'no exp claim' : (
            <>
              {formatDateTime(exp)} (<Countdown until={exp} pastPrefix="expired" />)
            </>
          )}
        </dd>
        <dt>Received</dt>
        <dd>{formatDateTime(token.receivedAt)}</dd>
      </dl>
      <MaskedValue sessionId={session.id} type="id" token={token} />
      {result?.ok === false ? <ErrorNotice error={result.error} action="Verification report" /> : null}
      {report === undefined ? (inspection.loading ? <p className="muted">Verifying…</p> : null) : (
        <>
          <VerificationReport report={report} />
          <h4>Header</h4>
          <JsonView value={report.header} label="ID token header" />
        </>
      )}
      <ClaimsTable claims={claims} caption="ID token claims" />
    </>
  );
}

/** The card. */
export function IdTokenCard({ session }: Props) {
  const token = session.idToken;
  return (
    <section className="panel panel--inner token-card" aria-labelledby="id-token-title" data-token="id">
      <h3 id="id-token-title">ID token</h3>
      {token === undefined ? (
        <p>{session.scopes.includes('openid') ? 'Not held by this process: a refresh gets one.' : 'None: without the openid scope this is a plain OAuth 2.0 session, with no ID token.'}</p>
      ) : (
        <Held session={session} token={token} />
      )}
    </section>
  );
}

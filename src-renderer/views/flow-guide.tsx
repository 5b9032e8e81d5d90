/** The flow guide: a few questions, then a recommended flow and response type with the reasons, and the matching profile preset. */
import { useEffect, useRef, useState } from 'react';
import { DEVICE_GRANT_TYPE, QUESTIONS, nextQuestion, recommend, type Answers, type Question } from '../format/flow-guide.ts';
import { presetById } from '../format/presets.ts';
import type { Route } from '../hooks/use-route.ts';

export type Props = {
  readonly go: (route: Route) => void;
};

function OauthVsOidc() {
  return (
    <table className="table">
      <caption>OAuth 2.0 and OpenID Connect side by side</caption>
      <thead>
        <tr>
          <th scope="col"></th>
          <th scope="col">OAuth 2.0</th>
          <th scope="col">OpenID Connect</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">openid scope</th>
          <td>not requested</td>
          <td>requested</td>
        </tr>
        <tr>
          <th scope="row">Answers the question</th>
          <td>May this app call that API for the person?</td>
          <td>Who is the person who signed in?</td>
        </tr>
        <tr>
          <th scope="row">Token for the app itself</th>
          <td>none</td>
          <td>ID token (a JWT the app verifies)</td>
        </tr>
        <tr>
          <th scope="row">Token for APIs</th>
          <td>access token</td>
          <td>access token (also for userinfo)</td>
        </tr>
      </tbody>
    </table>
  );
}

function ResponseTypes({ recommended }: { readonly recommended: string | undefined }) {
  const rows = [
    { type: 'code', gives: 'an authorization code; access, ID and refresh tokens then come from the token endpoint', status: 'recommended' },
    { type: 'id_token', gives: 'an ID token in the URL (implicit)', status: 'legacy' },
    { type: 'token', gives: 'an access token in the URL (implicit)', status: 'legacy' },
    { type: 'code id_token', gives: 'a code and an ID token in the URL (hybrid)', status: 'legacy' },
    { type: 'id_token token', gives: 'an ID token and an access token in the URL (implicit)', status: 'legacy' },
    { type: 'code token', gives: 'a code and an access token in the URL (hybrid)', status: 'legacy' },
    { type: 'code id_token token', gives: 'a code, an ID token and an access token in the URL (hybrid)', status: 'legacy' },
  ];
  return (
    <table className="table">
      <caption>Response types</caption>
      <thead>
        <tr>
          <th scope="col">response_type</th>
          <th scope="col">The browser brings back</th>
          <th scope="col">Here</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.type} aria-current={r.type === recommended ? 'true' : undefined}>
            <th scope="row" className="mono">{r.type}</th>
            <td>{r.gives}</td>
            <td>{r.type === recommended ? 'recommended for you' : r.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Opens the profile editor on a legacy flow, to test a client that still uses it. */
function LegacyProfileButton({ flow, preset, go }: { readonly flow: 'implicit' | 'hybrid'; readonly preset: string; readonly go: Props['go'] }) {
  return (
    <>
      {' '}
      <button type="button" className="button button--small" data-legacy-profile={flow} onClick={() => go({ view: 'profiles', edit: '', preset, scopes: 'openid profile email', flow })}>
        {flow === 'implicit' ? 'Test a legacy client: an implicit profile' : 'Test a legacy client: a hybrid profile'}
      </button>
    </>
  );
}

function Result({ answers, go, onRestart }: { readonly answers: Answers; readonly go: Props['go']; readonly onRestart: () => void }) {
  const r = recommend(answers);
  const preset = r.preset === undefined ? undefined : presetById(r.preset.id);
  return (
    <section className="panel" aria-labelledby="guide-result" data-flow-result={r.flow}>
      <h3 id="guide-result" tabIndex={-1}>
        Recommended: {r.flow}
      </h3>
      <dl className="facts">
        <dt>Response type</dt>
        <dd className="mono" data-response-type={r.responseType ?? 'none'}>{r.responseType ?? (r.grantTypes.includes(DEVICE_GRANT_TYPE) ? 'none: the person signs in on another device' : 'none: no browser is involved')}</dd>
        <dt>Grant types</dt>
        <dd className="mono">{r.grantTypes.join(', ')}</dd>
        {r.preset === undefined ? null : (
          <>
            <dt>Scopes</dt>
            <dd className="mono" data-scopes={r.preset.scopes}>
              {r.preset.scopes}
              {answers.need === 'identity' ? null : <span className="muted">{r.preset.scopes === '' ? 'your API’s scopes' : ' and your API’s scopes'}</span>}
            </dd>
          </>
        )}
      </dl>
      <h4>Why</h4>
      <ul>
        {r.why.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
      {r.legacy.length === 0 ? null : (
        <>
          <h4>Legacy: not recommended</h4>
          <ul className="legacy">
            {r.legacy.map((l) => (
              <li key={l.flow} data-legacy={l.flow}>
                <span className="badge badge--legacy">legacy</span> <strong>{l.flow}</strong>: {l.reason}
                {l.profileFlow === undefined ? null : <LegacyProfileButton flow={l.profileFlow} preset={preset?.id ?? 'generic'} go={go} />}
              </li>
            ))}
          </ul>
        </>
      )}
      {r.alternatives === undefined || r.alternatives.length === 0 ? null : (
        <>
          <h4>Also possible with this provider</h4>
          <ul className="alternatives">
            {r.alternatives.map((a) => (
              <li key={a.flow} data-alternative={a.preset.flow}>
                <strong>{a.flow}</strong>: {a.reason}{' '}
                <button type="button" className="button button--small" onClick={() => go({ view: 'profiles', edit: '', preset: a.preset.id, scopes: a.preset.scopes, flow: a.preset.flow })}>
                  Make an Okta session token profile
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {r.responseType === undefined ? null : <ResponseTypes recommended={r.responseType} />}
      {answers.need === undefined ? null : <OauthVsOidc />}
      <div className="actions">
        {r.preset === undefined || preset === undefined ? null : (
          <button type="button" className="button button--primary" onClick={() => go({ view: 'profiles', edit: '', preset: preset.id, scopes: r.preset?.scopes ?? preset.scopes, ...(r.preset?.flow === undefined ? {} : { flow: r.preset.flow }) })}>
            {r.preset.flow === 'client_credentials' ? 'Make a client credentials profile' : `Open the ${preset.label} preset`}
          </button>
        )}
        <button type="button" className="button" onClick={onRestart}>
          Start again
        </button>
      </div>
    </section>
  );
}

function Ask({ question, onAnswer }: { readonly question: Question; readonly onAnswer: (value: string) => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [question.id]);
  return (
    <section className="panel" aria-labelledby={`q-${question.id}`} data-question={question.id}>
      <h3 id={`q-${question.id}`} ref={heading} tabIndex={-1}>
        {question.text}
      </h3>
      <p className="muted">{question.help}</p>
      <div className="choices">
        {question.choices.map((c) => (
          <button key={c.value} type="button" className="button choice-button" data-choice={c.value} onClick={() => onAnswer(c.value)}>
            {c.label}
          </button>
        ))}
      </div>
    </section>
  );
}

/** The wizard. */
export function FlowGuide({ go }: Props) {
  const [answers, setAnswers] = useState<Answers>({});
  const question = nextQuestion(answers);
  const answered = QUESTIONS.filter((q) => answers[q.id] !== undefined);
  const back = () => {
    const last = answered.at(-1);
    if (last === undefined) return;
    setAnswers((a) => ({ ...a, [last.id]: undefined }));
  };
  return (
    <div className="stack flow-guide">
      <h2 className="view-title">Which flow?</h2>
      <p className="muted">A few questions, after the “Choosing a Flow” questions of Okta’s authentication overview, lead to the flow to use and a profile to try it with.</p>
      {answered.length === 0 ? null : (
        <ol className="answers" aria-label="Your answers">
          {answered.map((q) => (
            <li key={q.id}>
              {q.text} <strong>{q.choices.find((c) => c.value === answers[q.id])?.label}</strong>
            </li>
          ))}
        </ol>
      )}
      {answers.password === 'yes' && question !== undefined ? (
        <p className="note" data-legacy="password">
          <span className="badge badge--legacy">legacy</span> The password flow is not recommended (RFC 9700 §2.4). The questions go on to what to use instead.
        </p>
      ) : null}
      {question === undefined ? <Result answers={answers} go={go} onRestart={() => setAnswers({})} /> : <Ask question={question} onAnswer={(value) => setAnswers((a) => ({ ...a, [question.id]: value }))} />}
      {answered.length === 0 ? null : (
        <div className="actions">
          <button type="button" className="button button--quiet" onClick={back}>
            Back
          </button>
        </div>
      )}
    </div>
  );
}

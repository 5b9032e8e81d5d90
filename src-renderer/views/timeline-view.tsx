/** A session's timeline: every HTTP exchange (method, URL, status, duration), expandable to masked headers and bodies, live, exportable as HAR. */
import type { TimelineEntry } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { formatDateTime } from '../format/time.ts';
import { useHarDownload } from '../hooks/use-har-download.ts';
import { useTimeline } from '../hooks/use-timeline.ts';

export type Props = {
  readonly sessionId: string;
};

function Headers({ headers, label }: { readonly headers: Readonly<Record<string, string>> | undefined; readonly label: string }) {
  const rows = Object.entries(headers ?? {});
  if (rows.length === 0) return <p className="muted">No {label.toLowerCase()}.</p>;
  return (
    <table className="table headers">
      <caption>{label}</caption>
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row" className="mono">{name}</th>
            <td className="mono wrap">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Body({ text, label }: { readonly text: string | undefined; readonly label: string }) {
  if (text === undefined || text === '') return <p className="muted">No {label.toLowerCase()}.</p>;
  return (
    <>
      <h5>{label}</h5>
      <pre className="code-block" tabIndex={0} aria-label={label}>{text}</pre>
    </>
  );
}

function Entry({ entry }: { readonly entry: TimelineEntry }) {
  const status = entry.status === undefined ? entry.errorCode ?? 'no answer' : String(entry.status);
  const failed = entry.status === undefined || entry.status >= 400;
  return (
    <li className="timeline__entry" data-exchange={entry.id}>
      <details>
        <summary>
          <span className="timeline__time">{formatDateTime(entry.startedAt)}</span>
          <span className="mono timeline__method">{entry.method}</span>
          <span className="mono wrap timeline__url">{entry.url}</span>
          <span className={failed ? 'timeline__status timeline__status--failed' : 'timeline__status'}>{status}</span>
          <span className="timeline__duration">{Math.round(entry.durationMs)} ms</span>
        </summary>
        <div className="timeline__detail">
          <p className="muted">Secrets are masked as ***masked- followed by the start of their SHA-256, so equal values can be matched.</p>
          <Headers headers={entry.requestHeaders} label="Request headers" />
          <Body text={entry.requestBody} label="Request body" />
          <Headers headers={entry.responseHeaders} label="Response headers" />
          <Body text={entry.responseBody} label="Response body" />
        </div>
      </details>
    </li>
  );
}

/** The list, newest last, and the export button. */
export function TimelineView({ sessionId }: Props) {
  const timeline = useTimeline(sessionId);
  const har = useHarDownload(sessionId);
  return (
    <div className="stack timeline">
      <div className="actions">
        <button type="button" className="button" onClick={() => void har.download()} disabled={har.busy}>
          Export as HAR file
        </button>
        <span role="status" className="muted">{har.saved === undefined ? '' : `Saved ${har.saved} (masked).`}</span>
      </div>
      {har.error === undefined ? null : <ErrorNotice error={har.error} action="HAR export" />}
      {timeline.error === undefined ? null : <ErrorNotice error={timeline.error} action="Timeline" />}
      {timeline.loaded && timeline.entries.length === 0 ? (
        <p className="muted">No exchange of this session was made by this OIDC Desk process yet (each process records its own).</p>
      ) : null}
      <ol className="timeline__list" aria-label="HTTP exchanges, oldest first">
        {timeline.entries.map((entry) => (
          <Entry key={entry.id} entry={entry} />
        ))}
      </ol>
    </div>
  );
}

/** One session in detail: who, where, status, refresh and sign out, and its tokens, userinfo and timeline as tabs. */
import { useEffect, useRef } from 'react';
import type { SessionView } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { LongText } from '../components/long-text.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { clip } from '../format/clip.ts';
import { formatDateTime } from '../format/time.ts';
import { useRefreshChanges } from '../hooks/use-refresh-changes.ts';
import { useDeskCall } from '../hooks/use-desk-call.ts';
import type { SessionTab } from '../hooks/use-route.ts';
import { LegacyFlowNote } from './legacy-flow-note.tsx';
import { TimelineView } from './timeline-view.tsx';
import { TokensView } from './tokens-view.tsx';
import { UserinfoView } from './userinfo-view.tsx';

export type Props = {
  readonly session: SessionView;
  readonly tab: SessionTab;
  readonly onSignOut: (sessionId: string) => void;
};

const TABS: readonly { readonly id: SessionTab; readonly label: string }[] = [
  { id: 'tokens', label: 'Tokens' },
  { id: 'userinfo', label: 'Userinfo' },
  { id: 'timeline', label: 'Timeline' },
];

const STORAGE_WORDS: Readonly<Record<SessionView['storage'], string>> = {
  keychain: 'refresh token in the OS keychain',
  'session-only': 'refresh token in memory only (session-only)',
  none: 'no refresh token',
};

/** The detail panel. */
export function SessionDetail({ session, tab, onSignOut }: Props) {
  const refresh = useDeskCall('refreshSession');
  const changes = useRefreshChanges(session);
  const heading = useRef<HTMLHeadingElement>(null);
  const account = clip(session.displayName ?? session.subject, 300);
  const base = `#/sessions/${encodeURIComponent(session.id)}`;

  useEffect(() => {
    heading.current?.focus();
  }, [session.id]);

  const refreshError = refresh.state.status === 'done' && !refresh.state.result.ok ? refresh.state.result.error : undefined;
  return (
    <section className="panel session-detail" aria-labelledby="session-detail-title" data-session={session.id}>
      <div className="session-detail__head">
        <div>
          <h2 id="session-detail-title" ref={heading} tabIndex={-1} className="wrap">
            <bdi>{account}</bdi>
          </h2>
          <p className="muted">
            <StatusBadge session={session} /> {session.profile} · <span className="mono small wrap">{session.issuer}</span>
          </p>
        </div>
        <div className="actions">
          <button type="button" className="button button--primary" onClick={() => void refresh.run({ sessionId: session.id })} disabled={refresh.state.status === 'pending' || session.refreshing || (!session.hasRefreshToken && session.flow !== 'client_credentials')}>
            {refresh.state.status === 'pending' || session.refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
          <button type="button" className="button" onClick={() => onSignOut(session.id)}>
            Sign out
          </button>
        </div>
      </div>
      <dl className="facts">
        <dt>Subject</dt>
        <dd className="mono wrap">
          <LongText text={session.subject} limit={300} />
        </dd>
        <dt>Client id</dt>
        <dd className="mono wrap">{session.clientId}</dd>
        <dt>Scopes</dt>
        <dd className="mono wrap">{session.scopes.join(' ')}</dd>
        <dt>Storage</dt>
        <dd>{STORAGE_WORDS[session.storage]}</dd>
        {session.dpop === undefined ? null : (
          <>
            <dt>Token binding</dt>
            <dd data-dpop="true">DPoP: the tokens are bound to this session’s key (RFC 9449)</dd>
          </>
        )}
        <dt>Signed in</dt>
        <dd>{formatDateTime(session.createdAt)}</dd>
        <dt>Session id</dt>
        <dd className="mono">{session.id}</dd>
      </dl>
      {session.legacy === undefined ? null : <LegacyFlowNote legacy={session.legacy} />}
      {refreshError === undefined ? null : <ErrorNotice error={refreshError} action="Refresh" onDismiss={refresh.reset} />}
      {session.lastError === undefined || refreshError !== undefined ? null : <ErrorNotice error={session.lastError} action="Last problem" />}
      <nav className="tabs" aria-label="Session views">
        {TABS.filter((t) => t.id !== 'userinfo' || session.flow !== 'client_credentials').map((t) => (
          <a key={t.id} className="tab" href={`${base}/${t.id}`} aria-current={t.id === tab ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      <div className="tab-panel">
        {tab === 'tokens' ? <TokensView session={session} changes={changes} /> : null}
        {tab === 'userinfo' ? <UserinfoView session={session} /> : null}
        {tab === 'timeline' ? <TimelineView sessionId={session.id} /> : null}
      </div>
    </section>
  );
}

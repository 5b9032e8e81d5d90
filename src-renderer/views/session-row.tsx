/** One session in the list: account, issuer, status, expiry, and switch / sign out. Re-renders only when its session or status changes. */
import { memo } from 'react';
import type { SessionView } from '../../src-main/core/contract.ts';
import { Countdown } from '../components/countdown.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { clip } from '../format/clip.ts';

export type Props = {
  readonly session: SessionView;
  readonly current: boolean;
  readonly onSignOut: (sessionId: string) => void;
};

/** The row (kept lean: a list may hold hundreds); its account name links to the session's tokens. */
export const SessionRow = memo(function SessionRow({ session, current, onSignOut }: Props) {
  const account = clip(session.displayName ?? session.subject);
  const href = `#/sessions/${encodeURIComponent(session.id)}/tokens`;
  return (
    <div role="row" className={current ? 'sessions__row session-row session-row--current' : 'sessions__row session-row'} aria-current={current ? 'true' : undefined} data-session={session.id}>
      <div role="rowheader" className="wrap">
        <a href={href} className="isolate">{account}</a>
        {session.displayName === undefined ? null : <bdi className="muted mono small wrap block">{clip(session.subject)}</bdi>}
      </div>
      <div role="cell" className="wrap mono small">{session.issuer}</div>
      <div role="cell">
        <StatusBadge session={session} />
      </div>
      <div role="cell">{session.expiresAt === undefined ? <span className="muted">unknown</span> : <Countdown until={session.expiresAt} precision="minute" pastPrefix="expired" />}</div>
      <div role="cell" className="row-actions">
        {current ? (
          <span className="muted">current</span>
        ) : (
          <a className="button button--small" href={href} aria-label={`Switch to ${account}`}>
            Switch
          </a>
        )}
        <button type="button" className="button button--small" onClick={() => onSignOut(session.id)} aria-label={`Sign out ${account}`}>
          Sign out
        </button>
      </div>
    </div>
  );
});

/** A session's status as a badge; "expiring" and "expired" follow the clock, re-rendering the badge only when the status changes. */
import type { SessionView } from '../../src-main/core/contract.ts';
import { useClock } from '../hooks/use-clock.ts';
import { STATUS_LABEL, STATUS_MEANING, shownStatus } from '../format/session-status.ts';

export type Props = {
  readonly session: Pick<SessionView, 'status' | 'expiresAt'>;
};

/** The badge: its words and, for assistive technology and hover, what the status means. */
export function StatusBadge({ session }: Props) {
  const status = useClock((now) => shownStatus(session, now));
  return (
    <span className={`badge badge--${status}`} title={STATUS_MEANING[status]} data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}

/** A live countdown to a moment: only its own text re-renders, and only when that text changes. */
import { useClock } from '../hooks/use-clock.ts';
import { formatCountdown, formatDateTime, isoDateTime, type Precision } from '../format/time.ts';

export type Props = {
  /** The moment, ms since the epoch. */
  readonly until: number;
  readonly precision?: Precision;
  /** Words before a moment in the past ("expired"); the default reads "… ago". */
  readonly pastPrefix?: string;
};

/** "in 4 min 05 s" while `until` lies ahead, then "expired 12 s ago"; the exact time in its title. */
export function Countdown({ until, precision = 'second', pastPrefix }: Props) {
  const text = useClock((now) => formatCountdown(until, now, precision));
  const past = text.endsWith(' ago');
  return (
    // The exact time on hover where the countdown is by the second (lists count in minutes, by the hundred).
    <time className={past ? 'countdown countdown--past' : 'countdown'} dateTime={isoDateTime(until)} title={precision === 'second' ? formatDateTime(until) : undefined}>
      {past && pastPrefix !== undefined ? `${pastPrefix} ${text}` : text}
    </time>
  );
}

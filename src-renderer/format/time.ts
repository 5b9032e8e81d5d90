/** Times as people read them: dates in the local zone, and "in 4 min 05 s" countdowns at a chosen precision. */

/** How fine a countdown is: every second, or every minute (lists, where a row should change rarely). */
export type Precision = 'second' | 'minute';

const pad = (n: number): string => String(n).padStart(2, '0');

/** "4 min 05 s", "2 h 10 min", "3 days 4 h" for a positive span of milliseconds. */
export function formatSpan(ms: number, precision: Precision = 'second'): string {
  const totalSeconds = Math.floor(Math.max(0, ms) / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} ${days === 1 ? 'day' : 'days'} ${hours} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (precision === 'minute') return minutes > 0 ? `${minutes} min` : 'under a minute';
  return minutes > 0 ? `${minutes} min ${pad(seconds)} s` : `${seconds} s`;
}

/** "in 4 min 05 s", or "expired 2 min ago", from the expiry and the time now (ms since the epoch). */
export function formatCountdown(until: number, now: number, precision: Precision = 'second'): string {
  const left = until - now;
  if (left > 0) return `in ${formatSpan(left, precision)}`;
  return `${formatSpan(-left, precision)} ago`;
}

/** A date and time in the local zone, with seconds: "2025-05-01 14:03:07". */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return 'not a date';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The same as an ISO 8601 string in UTC, for a `<time dateTime>` attribute. */
export function isoDateTime(ms: number): string | undefined {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

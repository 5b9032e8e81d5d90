/** How a duration reads in every message: "45 s", "4 min", "3 h", "12 days" (a module of its own so that the CLI's entry loads it without the JWT report). */

/** A duration in milliseconds (either sign) in the largest unit that keeps it readable. */
export function humanizeDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min`;
  const h = Math.round(s / 3600);
  if (h < 48) return `${h} h`;
  return `${Math.round(s / 86_400)} days`;
}

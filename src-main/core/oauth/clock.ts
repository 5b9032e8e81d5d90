/**
 * How far this computer's clock is from a provider's, estimated from an HTTP `Date` header.
 * @module
 */

/** Longest header value considered (an IMF-fixdate is 29 characters). */
const MAX_DATE_HEADER_LENGTH = 64;

/**
 * The provider's clock minus ours, in ms: the response's `Date` header minus the local time the
 * response was received. The header has one-second resolution, so the estimate is good to about 1 s.
 * Returns undefined when the header is absent or not a date.
 *
 * The offset is for explaining time-check failures ("your clock is 5 min behind the provider's"); the
 * token checks themselves use the local clock and the bounded skew, never a server-supplied offset.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1
 */
export function estimateClockOffset(dateHeader: string | null, receivedAtMs: number): number | undefined {
  if (dateHeader === null || !Number.isFinite(receivedAtMs)) return undefined;
  const value = dateHeader.trim();
  if (value === '' || value.length > MAX_DATE_HEADER_LENGTH) return undefined;
  const serverMs = Date.parse(value);
  if (!Number.isFinite(serverMs)) return undefined;
  return serverMs - receivedAtMs;
}

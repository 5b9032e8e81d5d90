/** Claims as text: which are times, how any value reads, and what changed between two sets (the claim diff after a refresh). */
import { formatDateTime } from './time.ts';

/** Claims that are NumericDates (seconds since the epoch): shown with a readable time. */
const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);

/** Any claim value as text: a string as it is, anything else as JSON. Rendered as text, never as markup. */
export function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The readable time of a time claim, or undefined for other claims and values that are no date. */
export function claimTime(name: string, value: unknown): string | undefined {
  if (!TIME_CLAIMS.has(name) || typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 8.64e12) return undefined;
  return formatDateTime(value * 1000);
}

/** One claim that differs between two sets. */
export interface ClaimChange {
  readonly claim: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before: unknown;
  readonly after: unknown;
}

/** The claims that were added, removed or changed from `before` to `after`, by name. */
export function diffClaims(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): ClaimChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: ClaimChange[] = [];
  for (const claim of names) {
    const had = Object.hasOwn(before, claim);
    const has = Object.hasOwn(after, claim);
    if (had && !has) changes.push({ claim, change: 'removed', before: before[claim], after: undefined });
    else if (!had && has) changes.push({ claim, change: 'added', before: undefined, after: after[claim] });
    else if (claimText(before[claim]) !== claimText(after[claim])) changes.push({ claim, change: 'changed', before: before[claim], after: after[claim] });
  }
  return changes;
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const base64 = segment.replaceAll('-', '+').replaceAll('_', '/');
    const bytes = Uint8Array.from(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')), (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Header and claims of a compact JWS, decoded only (nothing verified): for an access token the user
 * revealed. Undefined for anything else (an opaque token, a JWE).
 */
export function decodeJwtParts(token: string): { readonly header: Record<string, unknown>; readonly claims: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] === undefined || parts[1] === undefined) return undefined;
  const header = decodeSegment(parts[0]);
  const claims = decodeSegment(parts[1]);
  return header === undefined || claims === undefined ? undefined : { header, claims };
}

/**
 * The order of names and sessions in the lists. Comparison is by code point, case folded first, and not
 * locale-aware on purpose: the first locale-aware comparison in a page (`localeCompare`, `Intl.Collator`)
 * loads ICU's collation data, which took 11 to 17 ms in Chromium here, on the path of the window's first
 * render. Names are identifiers people type (profile names, ids), for which this order reads naturally.
 */
import type { SessionView } from '../../src-main/core/contract.ts';

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Case-insensitive first ("auth0" before "Okta"), then exact, so distinct names never compare equal. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  return byCodePoint(a.toLowerCase(), b.toLowerCase()) || byCodePoint(a, b);
}

/** Sessions by profile, then oldest first, then by id: a stable order whatever order they arrive in. */
export function compareSessions(a: Pick<SessionView, 'profile' | 'createdAt' | 'id'>, b: Pick<SessionView, 'profile' | 'createdAt' | 'id'>): number {
  return compareNames(a.profile, b.profile) || a.createdAt - b.createdAt || byCodePoint(a.id, b.id);
}

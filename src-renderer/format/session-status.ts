/** The status a person sees for a session: the core's, with "expiring" and "expired" derived from the access token's expiry and the clock. */
import type { SessionView } from '../../src-main/core/contract.ts';

/** What a session row shows; `expiring` is the renderer's own. */
export type ShownStatus = SessionView['status'] | 'expiring';

/** Under this much validity left, an active session reads "expiring". */
export const EXPIRING_WITHIN_MS = 2 * 60_000;

/** The status at `now`: the core decides all but the clock-driven part of an active session. */
export function shownStatus(session: Pick<SessionView, 'status' | 'expiresAt'>, now: number): ShownStatus {
  if (session.status !== 'active' && session.status !== 'expired') return session.status;
  if (session.expiresAt === undefined) return session.status;
  const left = session.expiresAt - now;
  if (left <= 0) return 'expired';
  if (left <= EXPIRING_WITHIN_MS) return 'expiring';
  return 'active';
}

/** The words for each status. */
export const STATUS_LABEL: Readonly<Record<ShownStatus, string>> = {
  active: 'active',
  expiring: 'expiring',
  expired: 'expired',
  'sign-in-needed': 'sign-in needed',
  'refresh-failing': 'refresh failing',
  'session-only': 'session-only',
};

/** What each status means, for the badge's description. */
export const STATUS_MEANING: Readonly<Record<ShownStatus, string>> = {
  active: 'The access token is valid.',
  expiring: 'The access token expires within two minutes; it is refreshed shortly before.',
  expired: 'The access token has expired; a refresh gets a new one.',
  'sign-in-needed': 'The provider no longer accepts the refresh token: sign in again.',
  'refresh-failing': 'Refreshing failed; the refresh token is kept. Try again or sign in again.',
  'session-only': 'Kept in memory only (no keychain, or no refresh token): it ends when OIDC Desk stops.',
};

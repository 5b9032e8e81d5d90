/** How sessions read in the CLI: the `sessions --json` object (a documented contract) and the table line. */
import type { SessionView } from '../core/contract.ts';
import { legacyJson } from './legacy-flows.ts';
import { isoTime, relativeTime, safeText } from './output.ts';

/** One element of `sessions --json` (also the output of `refresh --json`). */
export function sessionJson(view: SessionView): Record<string, unknown> {
  return {
    id: view.id,
    profile: view.profile,
    issuer: view.issuer,
    clientId: view.clientId,
    subject: view.subject,
    displayName: view.displayName ?? null,
    scopes: view.scopes,
    status: view.status,
    storage: view.storage,
    createdAt: isoTime(view.createdAt),
    updatedAt: isoTime(view.updatedAt),
    expiresAt: isoTime(view.expiresAt),
    dpop: view.dpop?.jkt ?? null,
    ...legacyJson(view.legacy),
  };
}

/** The header of the `sessions` table. */
export const SESSION_TABLE_HEADER = ['ID', 'PROFILE', 'SUBJECT', 'STATUS', 'EXPIRES', 'NAME'] as const;

/** One row of the `sessions` table. */
export function sessionRow(view: SessionView, now: number): string[] {
  const expires = view.expiresAt === undefined ? '-' : `${isoTime(view.expiresAt) ?? '-'} (${relativeTime(view.expiresAt, now)})`;
  // Every text here comes from the session index, a file that may have been edited by hand.
  return [safeText(view.id, 80), safeText(view.profile, 80), safeText(view.subject, 80), view.status, expires, safeText(view.displayName ?? '', 60)];
}

/**
 * The line after a sign-in that names the account: display name and subject; the subject alone when the
 * ID token gives no name; or, without an ID token, that the account is unknown and why.
 */
export function signedInText(view: SessionView): string {
  const session = `with profile "${safeText(view.profile, 80)}": session ${safeText(view.id, 80)}.`;
  if (view.idToken === undefined) {
    return `Signed in ${session} The account is unknown: the provider sent no ID token (it sends one only for the "openid" scope), so no subject was verified.`;
  }
  const subject = safeText(view.subject, 200);
  if (view.displayName === undefined) return `Signed in as ${subject} (subject; the ID token gives no name) ${session}`;
  return `Signed in as ${safeText(view.displayName, 200)} (${subject}) ${session}`;
}

/** Aligns rows into columns (two spaces apart). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

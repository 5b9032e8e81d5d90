/**
 * The ledger of secrets the tests saw issued (codes, states, tokens). `npm test` greps everything the
 * suite printed for each of them afterwards: zero hits is the rule (SECURITY.md, logs).
 */
import { appendFileSync } from 'node:fs';

/** Records secrets for the after-run grep; a no-op when the runner did not ask for a ledger. */
export function recordSecrets(...secrets: readonly (string | undefined | null)[]): void {
  const ledger = process.env.OIDC_DESK_SECRET_LEDGER;
  if (!ledger) return;
  const lines = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  if (lines.length > 0) appendFileSync(ledger, `${lines.join('\n')}\n`);
}

/** The code and state of a redirect URL (and the tokens of an implicit or hybrid response in its fragment), for the ledger. */
export function redirectSecrets(url: string): string[] {
  const u = new URL(url);
  return [...['code', 'state'].map((k) => u.searchParams.get(k)), ...formSecrets(u.hash.slice(1))].filter((v): v is string => v !== null);
}

/** The code, state and tokens of form-encoded response parameters (a fragment, a form post's body), for the ledger. */
export function formSecrets(form: string | null | undefined): string[] {
  const params = new URLSearchParams(form ?? '');
  return ['code', 'state', 'access_token', 'id_token'].map((k) => params.get(k)).filter((v): v is string => v !== null);
}

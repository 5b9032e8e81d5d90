/**
 * Okta's Authentication API (classic engine), the first step of the `okta_session_token` flow: primary
 * authentication of a username and password, answered by a transaction whose `SUCCESS` carries a one-time
 * session token. Every answer is narrowed before use, and each status or error becomes a stable code.
 * @module
 */
import * as v from 'valibot';
import { DeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';
import { maskSecretsIn } from '../http/redact.ts';

/** The account's credentials, used once. */
export interface AuthnCredentials {
  readonly username: string;
  readonly password: string;
}

/** What a `SUCCESS` transaction gives: the one-time session token, and when it expires (ms since the epoch). */
export interface OktaSessionToken {
  readonly sessionToken: string;
  readonly expiresAt: number | undefined;
}

/** An answer of the Authentication API, as the HTTP client returned it. */
export interface AuthnAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** The transaction object (its other members, `_embedded` and `_links`, are not used). */
const Transaction = v.object({
  status: v.pipe(v.string(), v.regex(/^[A-Z_]{1,64}$/)),
  // Visible ASCII only: it goes into the authorization request's query.
  sessionToken: v.optional(v.pipe(v.string(), v.regex(/^[\x21-\x7e]{1,2048}$/))),
  expiresAt: v.optional(v.string()),
});

/** Okta's error object. */
const OktaError = v.object({
  errorCode: v.pipe(v.string(), v.regex(/^E[0-9]{7}$/)),
  errorSummary: v.optional(v.string()),
  errorCauses: v.optional(v.array(v.object({ errorSummary: v.optional(v.string()) }))),
});

/** Okta's error code for a wrong username or password. */
const AUTHENTICATION_FAILED = 'E0000004';

/** Statuses that ask for a second factor or its enrolment. */
const MFA_STATUSES: ReadonlySet<string> = new Set(['MFA_REQUIRED', 'MFA_ENROLL', 'MFA_ENROLL_ACTIVATE', 'MFA_CHALLENGE']);

const USE_THE_BROWSER = 'use the browser sign-in (a profile of the authorization code flow) for this account';

/** What OIDC Desk says about the statuses it does not continue, by status (fixed words of Okta's API, safe to name). */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  PASSWORD_WARN: `Okta warns that the account's password expires soon and waits for an answer that OIDC Desk does not give this way: change the password at Okta, or ${USE_THE_BROWSER}.`,
  RECOVERY: `Okta is recovering this account (a password reset or an unlock is under way): finish it at Okta in a browser, or ${USE_THE_BROWSER}.`,
  RECOVERY_CHALLENGE: `Okta is recovering this account and waits for a recovery code: finish it at Okta in a browser, or ${USE_THE_BROWSER}.`,
  PASSWORD_RESET: `Okta waits for a new password for this account: reset it at Okta in a browser, or ${USE_THE_BROWSER}.`,
  UNAUTHENTICATED: `Okta answered UNAUTHENTICATED: its sign-on policy wants a step before the password that OIDC Desk does not take this way; ${USE_THE_BROWSER}.`,
};

/**
 * The primary authentication endpoint of the Okta org an issuer belongs to: the Authentication API lives at
 * the org's origin, for the org authorization server (`https://{org}.okta.com`) and for custom ones
 * (`https://{org}.okta.com/oauth2/default`) alike.
 * @see https://developer.okta.com/docs/reference/api/authn/#primary-authentication
 */
export function authnEndpoint(issuer: string): string {
  return new URL('/api/v1/authn', new URL(issuer).origin).href;
}

/** Provider text for a message: one line, without the credentials, secrets masked, cut short. */
function untrusted(text: string | undefined, credentials: AuthnCredentials): string | undefined {
  if (text === undefined) return undefined;
  let out = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  // The password is masked whole (no fingerprint: a hash of a chosen password could be reversed).
  if (credentials.password.length > 0) out = out.split(credentials.password).join('[password]');
  if (credentials.username.length > 0) out = out.split(credentials.username).join('[username]');
  return maskSecretsIn(out).slice(0, 300);
}

/** Seconds until Okta takes requests again: `Retry-After` (seconds or a date), else Okta's `X-Rate-Limit-Reset` (epoch seconds). */
function retryAfterSeconds(headers: Headers, now: number): number | undefined {
  const serverNow = Date.parse(headers.get('date') ?? '');
  const clock = Number.isNaN(serverNow) ? now : serverNow;
  const retryAfter = headers.get('retry-after')?.trim();
  let seconds: number | undefined;
  if (retryAfter !== undefined && /^[0-9]{1,9}$/.test(retryAfter)) seconds = Number(retryAfter);
  else if (retryAfter !== undefined && !Number.isNaN(Date.parse(retryAfter))) seconds = Math.ceil((Date.parse(retryAfter) - clock) / 1000);
  else {
    const reset = headers.get('x-rate-limit-reset')?.trim();
    if (reset !== undefined && /^[0-9]{1,12}$/.test(reset)) seconds = Number(reset) - Math.floor(clock / 1000);
  }
  return seconds === undefined ? undefined : Math.min(Math.max(seconds, 0), 86_400);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The error for an answer other than 200: bad credentials, the rate limit, Okta's own errors, or an answer not Okta's. */
function refusal(answer: AuthnAnswer, now: number, credentials: AuthnCredentials): DeskError {
  const { status } = answer;
  if (status >= 500) return new DeskError('HTTP_STATUS', `Okta's Authentication API failed (HTTP ${status}); try again later.`, { status });
  const parsed = v.safeParse(OktaError, parseJson(answer.body));
  const said = parsed.success ? parsed.output : undefined;
  const summary = untrusted([said?.errorSummary, ...(said?.errorCauses ?? []).map((c) => c.errorSummary)].filter((s) => s !== undefined && s !== '').join(' '), credentials);
  const details = { status, ...(said === undefined ? {} : { oauthError: said.errorCode }), ...(summary === undefined || summary === '' ? {} : { oauthErrorDescription: summary }) };
  if (status === 429) {
    const wait = retryAfterSeconds(answer.headers, now);
    return new DeskError('OKTA_RATE_LIMITED', `Okta is limiting sign-in requests (HTTP 429): ${wait === undefined ? 'wait a minute' : `wait ${wait} s`}, then try again.`, details);
  }
  if (status === 401 && said?.errorCode === AUTHENTICATION_FAILED) {
    return new DeskError('OKTA_INVALID_CREDENTIALS', 'Okta did not accept the username and password.', details);
  }
  if (status === 404 && said === undefined) {
    return new DeskError('OKTA_AUTHN_FAILED', 'The issuer\'s origin has no Okta Authentication API (HTTP 404 for /api/v1/authn): the issuer is not an Okta org, or the org does not offer that API.', details);
  }
  if (said !== undefined) return new DeskError('OKTA_AUTHN_FAILED', `Okta's Authentication API refused the sign-in (HTTP ${status}, ${said.errorCode}).`, details);
  return new DeskError('OKTA_AUTHN_FAILED', `Okta's Authentication API answered HTTP ${status} without an Okta error.`, details);
}

/**
 * Reads an answer of primary authentication: the session token of a `SUCCESS` transaction, or a DeskError
 * with a stable code (`OKTA_INVALID_CREDENTIALS`, `OKTA_MFA_REQUIRED`, `OKTA_LOCKED_OUT`,
 * `OKTA_PASSWORD_EXPIRED`, `OKTA_AUTHN_UNSUPPORTED`, `OKTA_RATE_LIMITED`, `OKTA_AUTHN_FAILED`, `HTTP_STATUS`).
 * Nothing of the answer is trusted before it is narrowed; no message carries the credentials or a token.
 * @see https://developer.okta.com/docs/reference/api/authn/#transaction-state
 */
export function readAuthnAnswer(answer: AuthnAnswer, now: number, credentials: AuthnCredentials): OktaSessionToken {
  if (answer.status !== 200) throw refusal(answer, now, credentials);
  const parsed = v.safeParse(Transaction, parseJson(answer.body));
  if (!parsed.success) throw new DeskError('OKTA_AUTHN_FAILED', 'Okta\'s Authentication API answered something that is not an authentication transaction.', { status: answer.status });
  const { status, sessionToken, expiresAt } = parsed.output;
  if (status === 'SUCCESS') {
    if (sessionToken === undefined) throw new DeskError('OKTA_AUTHN_FAILED', 'Okta answered SUCCESS without a session token.', { status: answer.status });
    const at = expiresAt === undefined ? NaN : Date.parse(expiresAt);
    return { sessionToken, expiresAt: Number.isNaN(at) ? undefined : at };
  }
  if (MFA_STATUSES.has(status)) {
    const enrol = status.startsWith('MFA_ENROLL');
    throw new DeskError('OKTA_MFA_REQUIRED', `Okta asks this account ${enrol ? 'to enrol a second factor' : 'for a second factor'} (${status}). OIDC Desk does not do multi-factor sign-in through the Authentication API: ${USE_THE_BROWSER}.`);
  }
  if (status === 'LOCKED_OUT') throw new DeskError('OKTA_LOCKED_OUT', 'Okta says the account is locked out (too many failed sign-ins). Unlock it (Okta\'s self-service unlock, or an Okta administrator), then try again.');
  if (status === 'PASSWORD_EXPIRED') throw new DeskError('OKTA_PASSWORD_EXPIRED', 'The account\'s password has expired at Okta. Change it by signing in to Okta in a browser, then try again.');
  throw new DeskError('OKTA_AUTHN_UNSUPPORTED', UNSUPPORTED[status] ?? `Okta answered a transaction status that OIDC Desk does not know; ${USE_THE_BROWSER}.`);
}

/**
 * Primary authentication at the issuer's Okta org: `POST {origin}/api/v1/authn` with the username and
 * password as JSON (the password masked whole in the exchange log), then {@link readAuthnAnswer}.
 * @see https://developer.okta.com/docs/reference/api/authn/#primary-authentication
 */
export async function primaryAuthentication(fetch: FetchLike, input: { readonly issuer: string; readonly credentials: AuthnCredentials; readonly now: () => number }): Promise<OktaSessionToken> {
  const { username, password } = input.credentials;
  const response = await fetch(authnEndpoint(input.issuer), {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    // No optional factor enrolment and no password warning: statuses this flow could only refuse.
    body: JSON.stringify({ username, password, options: { multiOptionalFactorEnroll: false, warnBeforePasswordExpired: false } }),
  });
  return readAuthnAnswer({ status: response.status, headers: response.headers, body: await response.text() }, input.now(), input.credentials);
}

/**
 * TEST SCAFFOLDING, not part of OIDC Desk, and NOT Okta: there is no Okta org on the machines the tests run
 * on. A small local stand-in that follows the documented request and response shapes of Okta's
 * Authentication API (`POST /api/v1/authn`: a transaction with `status`, a one-time short-lived
 * `sessionToken` on `SUCCESS`, `{errorCode, errorSummary, errorCauses}` errors, 401 `E0000004` for bad
 * credentials, 429 `E0000047` with rate-limit headers) and of the authorization endpoint's `sessionToken`
 * parameter. The test IdP process (test/harness/counting-idp.ts, the real oidc-provider) composes it in front
 * of oidc-provider on one origin, with the routes of an Okta org authorization server (`/oauth2/v1/authorize`,
 * `/oauth2/v1/token`, `/oauth2/v1/keys`, ...), so that the token endpoint, the JWKS and the ID tokens are
 * oidc-provider's own.
 *
 * An `/oauth2/v1/authorize` request carrying a valid session token is answered with the redirect back to the
 * redirect URI: the stand-in runs oidc-provider's own login and consent pages on the user's behalf (its own
 * cookie jar, the forms submitted server-side), so oidc-provider issues the real code. oidc-provider issues a
 * refresh token only after consent, so the stand-in's own request asks for `prompt=consent` where Okta, with a
 * session token and `prompt=none`, needs no page at all. A session token that is unknown, used or expired is
 * dropped and the request goes to oidc-provider as it is: with `prompt=none` and no session there, it
 * redirects back with `error=login_required`, as Okta does.
 *
 * An account may be "not assigned" to the app: its consent is denied at oidc-provider, which redirects back
 * with `error=access_denied`, as Okta does for a user not assigned to the app. Accounts may misbehave on
 * purpose, for what a compliant Okta never does: redirect elsewhere than the redirect URI, answer with
 * another state, or hand out a session token that was used already.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { recordSecrets, redirectSecrets } from './secrets-ledger.ts';

/** The routes of an Okta org authorization server, for oidc-provider's `routes` configuration. */
export const OKTA_ORG_ROUTES: Readonly<Record<string, string>> = Object.freeze({
  authorization: '/oauth2/v1/authorize',
  token: '/oauth2/v1/token',
  jwks: '/oauth2/v1/keys',
  userinfo: '/oauth2/v1/userinfo',
  revocation: '/oauth2/v1/revoke',
  introspection: '/oauth2/v1/introspect',
  end_session: '/oauth2/v1/logout',
});

/** What primary authentication answers for an account whose password is right. */
export type OktaAccountStatus = 'SUCCESS' | 'MFA_REQUIRED' | 'MFA_ENROLL' | 'LOCKED_OUT' | 'PASSWORD_EXPIRED' | 'PASSWORD_WARN' | 'RATE_LIMITED';

/** Misbehaviour of a SUCCESS account, for the hostile cases. */
export type OktaMisbehaviour = 'foreign-redirect' | 'wrong-state' | 'replay-session-token';

/** An account of the stand-in; a SUCCESS account must also be a user of the provider (same username and password). */
export interface OktaAccount {
  readonly username: string;
  readonly password: string;
  readonly status: OktaAccountStatus;
  readonly misbehave?: OktaMisbehaviour;
  /** Not assigned to the app: the sign-in is refused at the authorization endpoint (access_denied), as Okta does. */
  readonly notAssigned?: boolean;
}

/** The stand-in's configuration (passed to the test IdP as `okta`). */
export interface OktaStandInConfig {
  readonly accounts: readonly OktaAccount[];
  /** Lifetime of a session token, seconds (default 300, Okta's). */
  readonly sessionTokenTtlSeconds?: number;
}

/** What the stand-in issued, for the tests' "found nowhere" checks (`GET /__admin/okta/issued`). */
export interface OktaIssued {
  readonly sessionTokens: readonly string[];
  readonly codes: readonly string[];
  /** Authorization requests that carried a session token, and whether it was redeemed. */
  readonly redemptions: readonly { readonly valid: boolean; readonly prompt: string | null }[];
}

const STATUSES: readonly OktaAccountStatus[] = ['SUCCESS', 'MFA_REQUIRED', 'MFA_ENROLL', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'PASSWORD_WARN', 'RATE_LIMITED'];
const MISBEHAVIOURS: readonly OktaMisbehaviour[] = ['foreign-redirect', 'wrong-state', 'replay-session-token'];

/** Narrows the `okta` member of the test IdP's config file. */
export function parseOktaStandInConfig(value: unknown): OktaStandInConfig {
  const v = value as { accounts?: unknown; sessionTokenTtlSeconds?: unknown } | null;
  if (typeof v !== 'object' || v === null || !Array.isArray(v.accounts)) throw new Error('okta: { accounts: [...] } expected');
  const accounts = v.accounts.map((a: unknown): OktaAccount => {
    const r = a as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r['username'] !== 'string' || typeof r['password'] !== 'string' || !STATUSES.includes(r['status'] as OktaAccountStatus)) throw new Error('okta: an account is { username, password, status }');
    const misbehave = r['misbehave'];
    if (misbehave !== undefined && !MISBEHAVIOURS.includes(misbehave as OktaMisbehaviour)) throw new Error('okta: unknown misbehaviour');
    return {
      username: r['username'], password: r['password'], status: r['status'] as OktaAccountStatus,
      ...(misbehave === undefined ? {} : { misbehave: misbehave as OktaMisbehaviour }),
      ...(r['notAssigned'] === true ? { notAssigned: true } : {}),
    };
  });
  return { accounts, ...(typeof v.sessionTokenTtlSeconds === 'number' ? { sessionTokenTtlSeconds: v.sessionTokenTtlSeconds } : {}) };
}

/** What the test process asks the IdP process: the session tokens and codes the stand-in issued. */
export async function oktaIssued(issuer: string): Promise<OktaIssued> {
  const res = await fetch(`${issuer}/__admin/okta/issued`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`okta stand-in admin: HTTP ${res.status}`);
  return (await res.json()) as OktaIssued;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

/** Okta's error object. */
function oktaError(errorCode: string, errorSummary: string, causes: readonly string[] = []): Record<string, unknown> {
  return { errorCode, errorSummary, errorLink: errorCode, errorId: `oae${randomBytes(8).toString('base64url')}`, errorCauses: causes.map((c) => ({ errorSummary: c })) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString();
    if (body.length > 64 * 1024) throw new Error('body too large');
  }
  return body;
}

/** The pieces of a Set-Cookie line this jar keeps: name, value, and whether it deletes the cookie. */
function cookieOf(line: string): { name: string; value: string; deleted: boolean } {
  const [pair = ''] = line.split(';');
  const eq = pair.indexOf('=');
  const deleted = /;\s*max-age=0/i.test(line) || /;\s*expires=[^;]*1970/i.test(line);
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), deleted };
}

/** The `action` of the form with this id on one of the provider's pages. */
function formAction(html: string, id: string, base: string): string {
  const action = new RegExp(`<form id="${id}" method="post" action="([^"]+)"`).exec(html)?.[1];
  if (action === undefined) throw new Error(`no ${id} on the page`);
  return new URL(action.replaceAll('&amp;', '&'), base).href;
}

/**
 * Runs the provider's sign-in pages for `account` from `start` (an authorization URL on the issuer) until
 * the provider redirects off its own origin: to the redirect URI, with the code (or an error) and the state.
 */
async function signInAtProvider(start: string, origin: string, account: OktaAccount): Promise<string> {
  const jar = new Map<string, string>();
  let next: { url: string; body?: URLSearchParams } = { url: start };
  for (let step = 0; step < 12; step += 1) {
    const res = await fetch(next.url, {
      method: next.body === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(next.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(next.body === undefined ? {} : { body: next.body.toString() }),
      signal: AbortSignal.timeout(10_000),
    });
    for (const line of res.headers.getSetCookie()) {
      const cookie = cookieOf(line);
      if (cookie.deleted) jar.delete(cookie.name);
      else jar.set(cookie.name, cookie.value);
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const location = new URL(res.headers.get('location') ?? '', next.url);
      // Off the provider's origin (a loopback redirect URI, a custom scheme): the answer for the app.
      if (location.origin !== origin) return location.href;
      next = { url: location.href };
      continue;
    }
    const html = await res.text();
    const page = /data-step="([a-z-]+)"/.exec(html)?.[1];
    // An account not assigned to the app: the provider's own refusal (its abort gives access_denied on the redirect).
    if (page === 'consent' && account.notAssigned === true) next = { url: formAction(html, 'consent-deny-form', next.url), body: new URLSearchParams() };
    else if (page === 'login') next = { url: formAction(html, 'login-form', next.url), body: new URLSearchParams({ username: account.username, password: account.password }) };
    else if (page === 'consent') next = { url: formAction(html, 'consent-form', next.url), body: new URLSearchParams() };
    else throw new Error(`the provider answered HTTP ${res.status} with an unexpected page (${page ?? 'none'})`);
  }
  throw new Error('the provider\'s sign-in did not end');
}

/** The stand-in: `handle` takes the requests that are Okta's (and returns true), and leaves the rest to oidc-provider. */
export function createOktaStandIn(config: OktaStandInConfig, issuer: string): { handle(req: IncomingMessage, res: ServerResponse, provider: (req: IncomingMessage, res: ServerResponse) => void): boolean } {
  const origin = new URL(issuer).origin;
  const ttlMs = (config.sessionTokenTtlSeconds ?? 300) * 1000;
  const live = new Map<string, { account: OktaAccount; expiresAt: number }>();
  const replayed = new Map<string, string>();
  const issued = { sessionTokens: [] as string[], codes: [] as string[], redemptions: [] as { valid: boolean; prompt: string | null }[] };

  const issueSessionToken = (account: OktaAccount): { token: string; expiresAt: number } => {
    const kept = account.misbehave === 'replay-session-token' ? replayed.get(account.username) : undefined;
    if (kept !== undefined) return { token: kept, expiresAt: Date.now() + ttlMs };
    const token = `20111${randomBytes(24).toString('base64url')}`;
    const expiresAt = Date.now() + ttlMs;
    live.set(token, { account, expiresAt });
    issued.sessionTokens.push(token);
    recordSecrets(token);
    if (account.misbehave === 'replay-session-token') replayed.set(account.username, token);
    return { token, expiresAt };
  };

  const authn = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return json(res, 405, oktaError('E0000022', 'The endpoint does not support the provided HTTP method'), { allow: 'POST' });
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return json(res, 415, oktaError('E0000003', 'The request body was not well-formed.'));
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req)) as unknown;
    } catch {
      return json(res, 400, oktaError('E0000003', 'The request body was not well-formed.'));
    }
    const { username, password } = (typeof body === 'object' && body !== null ? body : {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') {
      return json(res, 400, oktaError('E0000001', 'Api validation failed: username', ['username: The field cannot be left blank']));
    }
    const account = config.accounts.find((a) => a.username === username);
    if (account?.status === 'RATE_LIMITED') {
      const reset = Math.floor(Date.now() / 1000) + 42;
      return json(res, 429, oktaError('E0000047', 'API call exceeded rate limit due to too many requests.'), { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset), 'retry-after': '42' });
    }
    if (account === undefined || account.password !== password) return json(res, 401, oktaError('E0000004', 'Authentication failed'));
    const user = { id: `00u${randomBytes(6).toString('hex')}`, profile: { login: account.username, locale: 'en', timeZone: 'UTC' } };
    if (account.status === 'SUCCESS') {
      const { token, expiresAt } = issueSessionToken(account);
      return json(res, 200, { expiresAt: new Date(expiresAt).toISOString(), status: 'SUCCESS', sessionToken: token, _embedded: { user } });
    }
    const stateToken = `00${randomBytes(20).toString('base64url')}`;
    recordSecrets(stateToken);
    const expiresAt = new Date(Date.now() + ttlMs).toISOString();
    if (account.status === 'LOCKED_OUT') return json(res, 200, { status: 'LOCKED_OUT', _links: { next: { name: 'unlock', href: `${origin}/api/v1/authn/recovery/unlock`, hints: { allow: ['POST'] } } } });
    const factors = [{ id: `ost${randomBytes(6).toString('hex')}`, factorType: 'token:software:totp', provider: 'OKTA', vendorName: 'OKTA' }];
    return json(res, 200, { stateToken, expiresAt, status: account.status, _embedded: { user, ...(account.status.startsWith('MFA') ? { factors } : {}) } });
  };

  const authorize = async (req: IncomingMessage, res: ServerResponse, provider: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const token = url.searchParams.get('sessionToken') ?? '';
    url.searchParams.delete('sessionToken');
    const entry = live.get(token);
    // One use only, valid or not.
    live.delete(token);
    const valid = entry !== undefined && entry.expiresAt > Date.now();
    issued.redemptions.push({ valid, prompt: url.searchParams.get('prompt') });
    if (!valid) {
      // Okta ignores a session token it does not take; oidc-provider then sees the request as it came.
      req.url = `${url.pathname}${url.search}`;
      provider(req, res);
      return;
    }
    url.searchParams.set('prompt', 'consent');
    let location = await signInAtProvider(url.href, origin, entry.account);
    recordSecrets(...redirectSecrets(location));
    const code = new URL(location).searchParams.get('code');
    if (code !== null) issued.codes.push(code);
    if (entry.account.misbehave === 'foreign-redirect') location = `https://attacker.example/callback${new URL(location).search}`;
    if (entry.account.misbehave === 'wrong-state') {
      const changed = new URL(location);
      changed.searchParams.set('state', randomBytes(32).toString('base64url'));
      location = changed.href;
    }
    const sid = randomBytes(18).toString('base64url');
    recordSecrets(sid);
    res.writeHead(302, { location, 'set-cookie': `sid=${sid}; Path=/; HttpOnly`, 'cache-control': 'no-store' }).end();
  };

  const fail = (res: ServerResponse, error: unknown): void => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`okta stand-in: ${error instanceof Error ? error.message : String(error)}`);
  };

  return {
    handle(req, res, provider) {
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/__admin/okta/issued' && req.method === 'GET') {
        json(res, 200, issued);
        return true;
      }
      if (url.pathname === '/api/v1/authn') {
        authn(req, res).catch((error: unknown) => fail(res, error));
        return true;
      }
      if (url.pathname === OKTA_ORG_ROUTES['authorization'] && url.searchParams.has('sessionToken')) {
        authorize(req, res, provider).catch((error: unknown) => fail(res, error));
        return true;
      }
      return false;
    },
  };
}

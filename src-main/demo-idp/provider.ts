/** Builds the configured oidc-provider instance behind the embedded demo IdP and the test IdP, with its own pages. */
import { createHash, timingSafeEqual, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { DEMO_CLIENT, DEMO_USERS, type DemoClient, type DemoUser } from './demo-data.ts';
import { demoProofRoute } from './proof.ts';

export { DEMO_CLIENT, DEMO_CLIENT_ID, DEMO_LOOPBACK_REDIRECT_URI, DEMO_REDIRECT_URI, DEMO_USERS, type DemoClient, type DemoUser } from './demo-data.ts';

/** Lifetimes in seconds. */
export interface DemoTtl {
  readonly accessToken?: number;
  readonly idToken?: number;
  readonly refreshToken?: number;
  readonly authorizationCode?: number;
}

/** A private JWK Set (with `d`), as oidc-provider's `jwks` option takes it. */
export interface PrivateJwks {
  readonly keys: readonly JWK[];
}

export interface DemoProviderOptions {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly issuer: string;
  /** Signing keys; generated (RS256 + ES256) when absent. */
  readonly jwks?: PrivateJwks;
  readonly users?: readonly DemoUser[];
  readonly clients?: readonly DemoClient[];
  readonly ttl?: DemoTtl;
  /**
   * oidc-provider's `adapter` (a factory called with each model name); default its in-memory adapter,
   * which loses grants and refresh tokens on restart (see file-adapter.ts for the persistent one).
   */
  readonly adapter?: (model: string) => unknown;
  /** Changes oidc-provider's configuration before the provider is built (the test provider enables more grants). */
  readonly configure?: (configuration: Record<string, unknown>) => void;
}

/** The minimal Koa context surface this module touches. */
export interface KoaContextLike {
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  status: number;
  type: string;
  body: unknown;
  set(field: string, value: string): void;
  redirect(url: string): void;
  /** Present only on requests oidc-provider's router matched. */
  readonly oidc?: {
    readonly route?: string;
    readonly params?: Readonly<Record<string, unknown>>;
    readonly client?: { readonly clientId: string; readonly clientName?: string };
  };
}

export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

interface InteractionLike {
  readonly uid: string;
  readonly prompt: { readonly name: string; readonly details: Readonly<Record<string, unknown>> };
  readonly params: Readonly<Record<string, unknown>>;
  readonly session?: { readonly accountId?: string };
  readonly grantId?: string;
}

interface GrantLike {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: readonly string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

/** The part of oidc-provider's `Provider` (a Koa application) that OIDC Desk uses. */
export interface OidcProviderLike {
  readonly issuer: string;
  use(fn: KoaMiddleware): unknown;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionLike>;
  interactionResult(
    req: IncomingMessage,
    res: ServerResponse,
    result: Readonly<Record<string, unknown>>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<string>;
  readonly Grant: {
    new (init: { accountId: string; clientId: string }): GrantLike;
    find(id: string): Promise<GrantLike | undefined>;
  };
  readonly Client: { find(id: string): Promise<{ readonly clientId: string; readonly clientName?: string } | undefined> };
}

type ProviderConstructor = new (issuer: string, configuration: Readonly<Record<string, unknown>>) => OidcProviderLike;

/** Loaded on first use, so that importing this module's constants and helpers stays cheap and quiet. */
async function loadProvider(): Promise<ProviderConstructor> {
  // @ts-expect-error -- oidc-provider 9 ships no type declarations; the surface used here is typed above (OidcProviderLike).
  // The named export: the built CLI loads the package with require(), whose default is the whole module.
  const mod = (await import('oidc-provider')) as { Provider: ProviderConstructor };
  return mod.Provider;
}

/** A built demo provider: the oidc-provider instance (a Koa application) and its users. */
export interface DemoProvider {
  readonly provider: OidcProviderLike;
  readonly issuer: string;
  readonly users: readonly DemoUser[];
}

export const DEFAULT_TTL: Required<DemoTtl> = Object.freeze({
  accessToken: 300,
  idToken: 300,
  refreshToken: 24 * 60 * 60,
  authorizationCode: 60,
});

/** Generates a private signing JWK Set: one RS256 and one ES256 key, `kid` = RFC 7638 thumbprint. */
export async function generateDemoJwks(): Promise<PrivateJwks> {
  const keys: JWK[] = [];
  for (const alg of ['RS256', 'ES256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    keys.push({ ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(jwk) });
  }
  return { keys };
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";
const STYLE = 'body{font:15px/1.4 system-ui,sans-serif;max-width:28em;margin:2em auto;padding:0 1em;color:#222}'
  + 'h1{font-size:1.3em}label{display:block;margin:.6em 0 .2em}input{width:100%;padding:.4em;box-sizing:border-box}'
  + 'button{margin:.8em .5em 0 0;padding:.4em 1em}.error{color:#a00}.hint{background:#f4f4f4;padding:.5em;margin-top:1.5em}'
  + 'code{font-family:monospace}';

/** A complete, self-contained page (no external requests). `step` lets a test agent tell pages apart. */
function page(title: string, step: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
    + `<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>`
    + `<body data-step="${escapeHtml(step)}"><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function sendPage(ctx: KoaContextLike, status: number, html: string): void {
  ctx.status = status;
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'html';
  ctx.body = html;
}

function loginPage(uid: string, clientName: string, users: readonly DemoUser[], failed: boolean): string {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const hint = users.map((u) => `<li><code>${escapeHtml(u.username)}</code> / <code>${escapeHtml(u.password)}</code></li>`).join('');
  return page('Sign in', 'login',
    `<p>to continue to <strong>${escapeHtml(clientName)}</strong></p>`
    + (failed ? '<p id="login-error" class="error" role="alert">Invalid username or password.</p>' : '')
    + `<form id="login-form" method="post" action="${escapeHtml(`${base}/login`)}" autocomplete="off">`
    + '<label for="username">Username</label><input id="username" name="username" required autofocus>'
    + '<label for="password">Password</label><input id="password" name="password" type="password" required>'
    + '<button id="login-submit" type="submit">Sign in</button></form>'
    + `<form id="login-cancel-form" method="post" action="${escapeHtml(`${base}/abort`)}">`
    + '<button id="login-cancel" type="submit">Cancel</button></form>'
    + `<div class="hint">Demo accounts (this is a local demo provider):<ul>${hint}</ul></div>`);
}

function consentPage(uid: string, clientName: string, scopes: readonly string[], username: string): string {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const list = scopes.length > 0
    ? `<ul id="consent-scopes">${scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>`
    : '<p id="consent-scopes">No new scopes.</p>';
  return page('Authorize', 'consent',
    `<p><strong>${escapeHtml(clientName)}</strong> asks for access as <strong>${escapeHtml(username)}</strong>:</p>${list}`
    + `<form id="consent-form" method="post" action="${escapeHtml(`${base}/confirm`)}">`
    + '<button id="consent-approve" type="submit">Allow</button></form>'
    + `<form id="consent-deny-form" method="post" action="${escapeHtml(`${base}/abort`)}">`
    + '<button id="consent-deny" type="submit">Deny</button></form>');
}

function errorPage(fields: Readonly<Record<string, unknown>>): string {
  const rows = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd id="error-${escapeHtml(k)}">${escapeHtml(v)}</dd>`)
    .join('');
  return page('Something went wrong', 'error', `<dl>${rows}</dl>`);
}

const MAX_FORM_BYTES = 16 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,128})(?:\/(login|confirm|abort))?$/;

/** Serves the login and consent pages; returns false when the request is not an interaction request. */
async function handleInteraction(provider: OidcProviderLike, users: readonly DemoUser[], ctx: KoaContextLike): Promise<boolean> {
  const match = INTERACTION_PATH.exec(ctx.path);
  if (!match) return false;
  const uid = match[1] ?? '';
  const action = match[2];
  const method = ctx.method;
  if ((action === undefined && method !== 'GET') || (action !== undefined && method !== 'POST')) {
    sendPage(ctx, 405, errorPage({ error: 'invalid_request', error_description: 'method not allowed' }));
    return true;
  }
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) {
      sendPage(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'interaction mismatch' }));
      return true;
    }
    const clientId = typeof details.params['client_id'] === 'string' ? details.params['client_id'] : '';
    const client = await provider.Client.find(clientId);
    const clientName = client?.clientName ?? clientId;
    const prompt = details.prompt.name;

    const finish = async (result: Readonly<Record<string, unknown>>, merge: boolean): Promise<void> => {
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
      ctx.redirect(returnTo);
      ctx.status = 303;
    };

    if (action === 'abort') {
      await finish({ error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
      return true;
    }

    if (prompt === 'login') {
      if (action === undefined) {
        sendPage(ctx, 200, loginPage(uid, clientName, users, false));
      } else if (action === 'login') {
        const form = await readForm(ctx.req);
        const username = form.get('username') ?? '';
        const password = form.get('password') ?? '';
        const user = users.find((u) => sameSecret(u.username, username));
        if (user && sameSecret(user.password, password)) {
          await finish({ login: { accountId: user.sub } }, false);
        } else {
          sendPage(ctx, 200, loginPage(uid, clientName, users, true));
        }
      } else {
        sendPage(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'unexpected step' }));
      }
      return true;
    }

    if (prompt === 'consent') {
      const promptDetails = details.prompt.details;
      const missingScopes = stringArray(promptDetails['missingOIDCScope']);
      if (action === undefined) {
        const accountId = details.session?.accountId ?? '';
        const username = users.find((u) => u.sub === accountId)?.username ?? accountId;
        sendPage(ctx, 200, consentPage(uid, clientName, missingScopes, username));
      } else if (action === 'confirm') {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session?.accountId ?? '', clientId });
        if (!grant) throw new Error('grant not found');
        if (missingScopes.length > 0) grant.addOIDCScope(missingScopes.join(' '));
        const missingClaims = stringArray(promptDetails['missingOIDCClaims']);
        if (missingClaims.length > 0) grant.addOIDCClaims(missingClaims);
        const resourceScopes = promptDetails['missingResourceScopes'];
        if (resourceScopes && typeof resourceScopes === 'object') {
          for (const [indicator, scopes] of Object.entries(resourceScopes)) {
            grant.addResourceScope(indicator, stringArray(scopes).join(' '));
          }
        }
        await finish({ consent: { grantId: await grant.save() } }, true);
      } else {
        sendPage(ctx, 400, errorPage({ error: 'invalid_request', error_description: 'unexpected step' }));
      }
      return true;
    }

    sendPage(ctx, 501, errorPage({ error: 'server_error', error_description: `unsupported prompt ${prompt}` }));
    return true;
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    const description = err instanceof Error && 'error_description' in err ? err.error_description : undefined;
    sendPage(ctx, 400, errorPage({
      error: name === 'SessionNotFound' ? 'session_not_found' : 'invalid_request',
      error_description: typeof description === 'string' ? description : 'the sign-in could not continue; start it again',
    }));
    return true;
  }
}

/**
 * Builds an oidc-provider instance for `issuer` with the demo users, the native client, PKCE S256
 * required, refresh-token rotation, revocation, introspection, userinfo and RP-initiated logout,
 * self-contained login/consent/logout/error pages, and its proof of identity ({@link demoProofRoute}).
 * @see https://www.rfc-editor.org/rfc/rfc8252 (native apps), RFC 7636 (PKCE), RFC 9207 (`iss`)
 */
export async function createDemoProvider(options: DemoProviderOptions): Promise<DemoProvider> {
  const { issuer } = options;
  const url = new URL(issuer);
  if (issuer.endsWith('/') || url.pathname !== '/' || url.search || url.hash) {
    throw new TypeError('issuer must be an origin without a trailing slash, e.g. http://127.0.0.1:4000');
  }
  const users = options.users ?? DEMO_USERS;
  const clients = options.clients ?? [DEMO_CLIENT];
  const ttl = { ...DEFAULT_TTL, ...options.ttl };
  const jwks = options.jwks ?? await generateDemoJwks();

  const configuration: Record<string, unknown> = {
    ...(options.adapter ? { adapter: options.adapter } : {}),
    clients: clients.map((c) => ({ ...c })),
    jwks: { keys: jwks.keys.map((k) => ({ ...k })) },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // The ID token carries the granted profile and email claims too, so the app can name the account
    // and compare them with userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      AccessToken: ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      Interaction: 60 * 60,
      Session: 24 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
    },
    // The desktop app talks to the provider from Node, not from a web origin.
    clientBasedCORS: () => false,
    findAccount: (_ctx: unknown, sub: string) => {
      const user = users.find((u) => u.sub === sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({
          sub: user.sub,
          name: user.name,
          preferred_username: user.username,
          email: user.email,
          email_verified: user.emailVerified,
        }),
      };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: {
        enabled: true,
        // Any client (public ones included) may revoke the tokens issued to itself, and only those.
        allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        // Any client (public ones included) may introspect the tokens issued to itself, and only those.
        allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextLike, form: string) => {
          // `form` is oidc-provider's own markup (hidden xsrf field); everything else is escaped.
          sendPage(ctx, 200, page('Sign out', 'logout',
            `<p>Sign out of <strong>${escapeHtml(ctx.host)}</strong>?</p>${form}`
            + '<button id="logout-confirm" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>'
            + '<button id="logout-cancel" type="submit" form="op.logoutForm">Stay signed in</button>'));
        },
        postLogoutSuccessSource: (ctx: KoaContextLike) => {
          const name = ctx.oidc?.client?.clientName ?? ctx.oidc?.client?.clientId;
          sendPage(ctx, 200, page('Signed out', 'logout-success',
            `<p>You are signed out${name ? ` of <strong>${escapeHtml(name)}</strong>` : ''}. You can close this page.</p>`));
        },
      },
    },
    renderError: (ctx: KoaContextLike, out: Readonly<Record<string, unknown>>) => {
      sendPage(ctx, ctx.status >= 400 ? ctx.status : 400, errorPage(out));
    },
  };

  options.configure?.(configuration);
  const Provider = await loadProvider();
  const provider = new Provider(issuer, configuration);

  provider.on('server_error', (_ctx: unknown, err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`demo-idp server_error: ${e.name}: ${e.message}\n`);
  });

  // Its answer to "who are you?": a fresh nonce signed with its own key (see proof.ts).
  provider.use(demoProofRoute(issuer, jwks));
  provider.use(async (ctx, next) => {
    if (!(await handleInteraction(provider, users, ctx))) await next();
  });

  return { provider, issuer, users };
}

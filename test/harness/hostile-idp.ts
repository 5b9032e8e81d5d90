/**
 * A small misbehaving OpenID provider for the cases a compliant provider never produces (bad token
 * responses, wrong metadata issuer, forged or mismatched ID tokens, userinfo for another subject).
 * It is a test double on purpose: every compliant behaviour is tested against oidc-provider.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, calculateJwkThumbprint, type JWK, type JWTPayload } from 'jose';
import { recordSecrets } from './secrets-ledger.ts';

/** A reply the test chooses; `hang` never answers. */
export type HostileReply = { status?: number; headers?: Record<string, string>; body?: string; json?: unknown } | 'hang';

export interface HostileIdpOptions {
  /** What discovery states as issuer (default: the real one). */
  metadataIssuer?: (issuer: string) => string;
  /** Extra or overridden metadata fields. */
  metadata?: Record<string, unknown>;
  /** Token endpoint handler; gets the form body. */
  token?: (form: URLSearchParams, idp: HostileIdp) => HostileReply | Promise<HostileReply>;
  userinfo?: (authorization: string | undefined, idp: HostileIdp) => HostileReply | Promise<HostileReply>;
  revocation?: (form: URLSearchParams, idp: HostileIdp) => HostileReply | Promise<HostileReply>;
  /** Device authorization endpoint handler (RFC 8628 §3.1), announced as `device_authorization_endpoint`; gets the form body. */
  deviceAuthorization?: (form: URLSearchParams, idp: HostileIdp) => HostileReply | Promise<HostileReply>;
  /** A path under the origin for the issuer, like Okta's `/oauth2/default`. */
  basePath?: string;
  /** Which metadata document it publishes: OpenID Discovery (default) or only RFC 8414. */
  discovery?: 'oidc' | 'oauth2';
  /**
   * Serve `/authorize` as a provider that approves at once: a 302 back to the redirect URI with a code
   * (random, recorded as a secret), the state and `iss`. Any HTTP client can then play the browser
   * (`FETCH_BROWSER_COMMAND` of test/harness/cli-runner.ts).
   */
  autoApprove?: boolean;
  /** With `autoApprove`, asked at each authorization request: an `error=` to send back instead of a code. */
  refuseAuthorization?: () => { error: string; description?: string } | undefined;
  /** Awaited before each JWKS answer: holds a client in the middle of checking an ID token. */
  jwksGate?: () => Promise<void>;
}

export interface HostileIdp {
  readonly issuer: string;
  readonly kid: string;
  /** Requests per path. */
  readonly counts: Record<string, number>;
  /** The query of the authorization request (`autoApprove`) that a code was issued for, e.g. its nonce. */
  authorizationOf(code: string | null): URLSearchParams | undefined;
  /** Signs an ID token with the provider's RS256 key (claims default: iss, aud=clientId, iat/exp now). */
  signIdToken(claims: JWTPayload, options?: { clientId?: string; alg?: string; kid?: string }): Promise<string>;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += (chunk as Buffer).toString();
  return body;
}

function send(res: ServerResponse, reply: Exclude<HostileReply, 'hang'>): void {
  const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
  res.writeHead(reply.status ?? 200, { 'content-type': reply.json !== undefined ? 'application/json' : 'text/html', ...reply.headers });
  res.end(body);
}

/** Starts the hostile provider on 127.0.0.1 with an ephemeral port. */
export async function startHostileIdp(options: HostileIdpOptions = {}): Promise<HostileIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' };
  const kid = await calculateJwkThumbprint(jwk);
  jwk.kid = kid;
  const counts: Record<string, number> = {};
  let issuer = '';
  const authorizations = new Map<string, URLSearchParams>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const full = new URL(req.url ?? '/', 'http://x').pathname;
      counts[full] = (counts[full] ?? 0) + 1;
      const base = options.basePath ?? '';
      const rfc8414 = `/.well-known/oauth-authorization-server${base}`;
      const wellKnown = (options.discovery ?? 'oidc') === 'oidc' ? `${base}/.well-known/openid-configuration` : rfc8414;
      const path = full === wellKnown ? '/metadata' : full.startsWith(base) ? full.slice(base.length) : full;
      if (path === '/metadata') {
        return send(res, { json: {
          issuer: options.metadataIssuer ? options.metadataIssuer(issuer) : issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          userinfo_endpoint: `${issuer}/userinfo`,
          response_types_supported: ['code'],
          id_token_signing_alg_values_supported: ['RS256'],
          authorization_response_iss_parameter_supported: true,
          code_challenge_methods_supported: ['S256'],
          ...(options.revocation ? { revocation_endpoint: `${issuer}/revoke` } : {}),
          ...(options.deviceAuthorization ? { device_authorization_endpoint: `${issuer}/device/auth` } : {}),
          ...options.metadata,
        } });
      }
      if (path === '/jwks') {
        await options.jwksGate?.();
        return send(res, { json: { keys: [jwk] } });
      }
      if (path === '/authorize' && options.autoApprove) {
        const query = new URL(req.url ?? '/', 'http://x').searchParams;
        const back = new URL(query.get('redirect_uri') ?? '');
        back.searchParams.set('state', query.get('state') ?? '');
        back.searchParams.set('iss', issuer);
        const refused = options.refuseAuthorization?.();
        if (refused === undefined) {
          const code = `code-${randomBytes(24).toString('base64url')}`;
          recordSecrets(code);
          authorizations.set(code, query);
          back.searchParams.set('code', code);
        } else {
          back.searchParams.set('error', refused.error);
          if (refused.description !== undefined) back.searchParams.set('error_description', refused.description);
        }
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (path === '/token' && options.token) {
        const reply = await options.token(new URLSearchParams(await readBody(req)), idp);
        if (reply === 'hang') return;
        return send(res, reply);
      }
      if (path === '/revoke' && options.revocation) {
        const reply = await options.revocation(new URLSearchParams(await readBody(req)), idp);
        if (reply === 'hang') return;
        return send(res, reply);
      }
      if (path === '/device/auth' && options.deviceAuthorization) {
        const reply = await options.deviceAuthorization(new URLSearchParams(await readBody(req)), idp);
        if (reply === 'hang') return;
        return send(res, reply);
      }
      if (path === '/userinfo' && options.userinfo) {
        const reply = await options.userinfo(req.headers.authorization, idp);
        if (reply === 'hang') return;
        return send(res, reply);
      }
      send(res, { status: 404, body: 'not found' });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.basePath ?? ''}`;
  const idp: HostileIdp = {
    issuer,
    kid,
    counts,
    authorizationOf: (code) => (code === null ? undefined : authorizations.get(code)),
    async signIdToken(claims, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: o.clientId ?? 'oidc-desk', iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? kid })
        .sign(privateKey);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return idp;
}

/** A gate for `jwksGate`: `reached` settles when a client asks for the JWKS, which is held until `release()`. */
export function heldGate(): { readonly gate: () => Promise<void>; readonly reached: Promise<void>; release(): void } {
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let open!: () => void;
  const held = new Promise<void>((resolve) => (open = resolve));
  return {
    gate: () => {
      arrived();
      return held;
    },
    reached,
    release: () => open(),
  };
}

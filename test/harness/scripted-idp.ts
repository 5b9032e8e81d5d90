/**
 * A provider that signs in without a login page, answering as the test scripts it: the hostile provider
 * (test/harness/hostile-idp.ts) plus an authorization endpoint that redirects straight back with a code
 * (or an `error=`), and a token endpoint whose ID token claims, access token and errors the test chooses.
 * For what a compliant provider never sends (terminal control in claims, no ID token, odd errors);
 * everything compliant is tested against oidc-provider.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHostileIdp, type HostileIdp, type HostileReply } from './hostile-idp.ts';
import { recordSecrets } from './secrets-ledger.ts';

/** What the provider answers; change it between sign-ins. */
export interface Script {
  /** An `error=` for the authorization response instead of a code, with this description. */
  authorizeError?: { error: string; description: string };
  /** A token endpoint error for the code exchange. */
  tokenError?: { error: string; description: string };
  /** ID token claims beyond iss/aud/iat/exp/nonce; `null` sends no ID token at all. */
  idTokenClaims: Record<string, unknown> | null;
  /** Appended to each issued access token (e.g. control characters no valid token has). */
  accessTokenSuffix?: string;
  userinfo?: Record<string, unknown>;
  revocation?: HostileReply;
  /** The `scope` of token responses. */
  scope: string;
}

export interface ScriptedIdp {
  readonly issuer: string;
  script: Script;
  stop(): Promise<void>;
}

/** A `--browser-command` that follows the authorization URL's redirects, so the loopback gets its callback. */
export const FETCH_BROWSER = `"${process.execPath}" -e "fetch(process.argv.at(-1)).then((r) => r.text()).then(() => process.exit(0), () => process.exit(1))"`;

function issued(prefix: string): string {
  const value = `${prefix}-${randomBytes(24).toString('base64url')}`;
  recordSecrets(value);
  return value;
}

/** Starts the scripted provider on 127.0.0.1 (issuer `http://127.0.0.1:<port>`, client `oidc-desk`). */
export async function startScriptedIdp(initial: Script): Promise<ScriptedIdp> {
  const nonces = new Map<string, string>();
  const scripted: ScriptedIdp = { issuer: '', script: initial, stop: async () => undefined };

  const authorize: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://127.0.0.1:1/');
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    back.searchParams.set('iss', scripted.issuer);
    const refused = scripted.script.authorizeError;
    if (refused !== undefined) {
      back.searchParams.set('error', refused.error);
      back.searchParams.set('error_description', refused.description);
    } else {
      const code = issued('code');
      nonces.set(code, url.searchParams.get('nonce') ?? '');
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.href }).end();
  });
  await new Promise<void>((resolve) => authorize.listen(0, '127.0.0.1', resolve));

  const token = async (form: URLSearchParams, provider: HostileIdp): Promise<HostileReply> => {
    const { script } = scripted;
    const exchange = form.get('grant_type') === 'authorization_code';
    if (exchange && script.tokenError) return { status: 400, json: { error: script.tokenError.error, error_description: script.tokenError.description } };
    const nonce = exchange ? nonces.get(form.get('code') ?? '') : undefined;
    let idToken: string | undefined;
    if (script.idTokenClaims !== null) {
      idToken = await provider.signIdToken({ auth_time: 1_700_000_000, ...script.idTokenClaims, ...(nonce === undefined ? {} : { nonce }) });
      recordSecrets(idToken);
    }
    return {
      json: {
        access_token: `${issued('at')}${script.accessTokenSuffix ?? ''}`,
        token_type: 'Bearer',
        expires_in: 300,
        refresh_token: issued('rt'),
        scope: script.scope,
        ...(idToken === undefined ? {} : { id_token: idToken }),
      },
    };
  };

  const idp = await startHostileIdp({
    metadata: { authorization_endpoint: `http://127.0.0.1:${(authorize.address() as AddressInfo).port}/authorize` },
    token,
    userinfo: () => ({ json: scripted.script.userinfo ?? { sub: scripted.script.idTokenClaims?.['sub'] ?? 'unknown' } }),
    revocation: () => scripted.script.revocation ?? { status: 200, body: '' },
  });
  return Object.assign(scripted, {
    issuer: idp.issuer,
    async stop() {
      await idp.stop();
      authorize.closeAllConnections();
      await new Promise<void>((resolve) => authorize.close(() => resolve()));
    },
  });
}

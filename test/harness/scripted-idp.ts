/**
 * A provider that answers as the test scripts it: the hostile provider (test/harness/hostile-idp.ts),
 * approving at once (or refusing with the script's `error=`), with a token endpoint whose ID token
 * claims, access token and errors the test chooses. For what a compliant provider never sends (terminal
 * control in claims, no ID token, odd errors); everything compliant is tested against oidc-provider.
 * Sign in through it with `FETCH_BROWSER_COMMAND` (test/harness/cli-runner.ts).
 */
import { randomBytes } from 'node:crypto';
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

function issued(prefix: string): string {
  const value = `${prefix}-${randomBytes(24).toString('base64url')}`;
  recordSecrets(value);
  return value;
}

/** Starts the scripted provider on 127.0.0.1 (issuer `http://127.0.0.1:<port>`, client `oidc-desk`). */
export async function startScriptedIdp(initial: Script): Promise<ScriptedIdp> {
  let script = initial;

  const token = async (form: URLSearchParams, provider: HostileIdp): Promise<HostileReply> => {
    const exchange = form.get('grant_type') === 'authorization_code';
    if (exchange && script.tokenError) return { status: 400, json: { error: script.tokenError.error, error_description: script.tokenError.description } };
    const nonce = exchange ? provider.authorizationOf(form.get('code'))?.get('nonce') ?? '' : undefined;
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
    autoApprove: true,
    refuseAuthorization: () => script.authorizeError,
    token,
    userinfo: () => ({ json: script.userinfo ?? { sub: script.idTokenClaims?.['sub'] ?? 'unknown' } }),
    revocation: () => script.revocation ?? { status: 200, body: '' },
  });
  return {
    issuer: idp.issuer,
    get script() {
      return script;
    },
    set script(next: Script) {
      script = next;
    },
    stop: () => idp.stop(),
  };
}

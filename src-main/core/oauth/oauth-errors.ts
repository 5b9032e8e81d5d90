/**
 * Translation of oauth4webapi's errors into DeskErrors with stable codes and messages that say what to do.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError, type ErrorCode } from '../errors.ts';
import { maskSecretsIn } from '../http/redact.ts';
import { isRecord } from '../util.ts';

/** Hints for OAuth error codes a user can act on; Okta's texts in mind. */
const HINTS: Readonly<Record<string, string>> = {
  invalid_client: 'The provider did not accept the client. Check the client id, and that the app is a Native (public) app using PKCE with no client secret (in Okta: Client authentication = None, "Require PKCE" on).',
  unauthorized_client: 'The app is not allowed to use this grant. In Okta, enable the grant type (Authorization Code, Refresh Token) on the app.',
  invalid_scope: 'A requested scope is not allowed. Check the profile scopes against the authorization server (Okta custom servers need the scope defined and an access policy).',
  invalid_grant: 'The code or refresh token is no longer valid (used, expired or revoked). Sign in again.',
  access_denied: 'Sign-in was cancelled or refused.',
  consent_required: 'The user must consent; try again without prompt=none.',
  login_required: 'The user must sign in; try again without prompt=none.',
};

/** The message for an OAuth `error` value, with a hint when there is one; anything token-like in the description is masked. */
export function oauthErrorMessage(error: string, description: string | undefined): string {
  const hint = HINTS[error];
  const said = `The provider answered "${maskSecretsIn(error.slice(0, 100))}"${description ? `: ${maskSecretsIn(description.slice(0, 300))}` : ''}.`;
  return hint ? `${said} ${hint}` : said;
}

/** The DeskError code for an OAuth `error` value from a token-issuing endpoint. */
function codeForOAuthError(error: string): ErrorCode {
  if (error === 'invalid_grant') return 'INVALID_GRANT';
  if (error === 'invalid_client') return 'INVALID_CLIENT';
  // RFC 6749 §5.2: the client may not use this grant, or the server has no such grant at all.
  if (error === 'unauthorized_client' || error === 'unsupported_grant_type') return 'UNAUTHORIZED_CLIENT';
  return 'TOKEN_ERROR';
}

/** A DeskError for an OAuth error response (`error`, `error_description`). */
export function oauthErrorResponse(error: string, description: string | undefined, status: number | undefined, cause: unknown): DeskError {
  return new DeskError(codeForOAuthError(error), oauthErrorMessage(error, description), {
    cause,
    oauthError: maskSecretsIn(error.slice(0, 100)),
    ...(description === undefined ? {} : { oauthErrorDescription: maskSecretsIn(description.slice(0, 1000)) }),
    ...(status === undefined ? {} : { status }),
  });
}

/** oauth4webapi's refusal of a JWT `alg`: an `INVALID_RESPONSE` whose cause names the header and the expected algorithms. */
function isAlgRefusal(error: oauth.OperationProcessingError): boolean {
  return error.code === oauth.INVALID_RESPONSE && isRecord(error.cause) && isRecord(error.cause['header']) && 'expected' in error.cause;
}

/**
 * Maps anything thrown by oauth4webapi (or the HTTP client) to a DeskError, by the error's class, `code`
 * and `cause`, never by its message text. Only an OAuth `invalid_grant` in a response body becomes
 * `INVALID_GRANT`; a `WWW-Authenticate` challenge is `ACCESS_TOKEN_REJECTED` when it says `invalid_token`
 * (RFC 6750 §3.1) and otherwise carries no verdict about a token (a proxy's `Basic realm=...`).
 * @param fallback the code for a response that broke the protocol
 */
export function mapOAuthError(error: unknown, fallback: ErrorCode): DeskError {
  if (error instanceof DeskError) return error;
  if (error instanceof oauth.ResponseBodyError) return oauthErrorResponse(error.error, error.error_description, error.status, error);
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause.find((c) => c.parameters.error !== undefined) ?? error.cause[0];
    const oauthError = challenge?.parameters.error;
    if (oauthError === 'invalid_token') {
      return new DeskError('ACCESS_TOKEN_REJECTED', oauthErrorMessage(oauthError, challenge?.parameters.error_description), { cause: error, oauthError, status: error.status });
    }
    if (oauthError !== undefined) return new DeskError(fallback, oauthErrorMessage(oauthError, challenge?.parameters.error_description), { cause: error, oauthError, status: error.status });
    const scheme = (challenge?.scheme ?? 'unknown').slice(0, 20).replace(/[^A-Za-z0-9_-]/g, '');
    return new DeskError(fallback, `The server answered HTTP ${error.status} with a "${scheme}" authentication challenge and no OAuth error: perhaps a proxy in between.`, { cause: error, status: error.status });
  }
  if (error instanceof oauth.OperationProcessingError) {
    if (isAlgRefusal(error)) {
      return new DeskError('ID_TOKEN_ALG_NOT_ALLOWED', 'The ID token is signed with an algorithm this client does not accept (none, a shared-secret HS algorithm, or one the provider does not announce).', { cause: error });
    }
    if (error.cause instanceof Response && error.cause.status >= 300) {
      // A refusal without an OAuth error (no JSON, or an unexpected status): say what the server answered.
      return new DeskError(fallback, `The server answered HTTP ${error.cause.status} without an OAuth error.`, { cause: error, status: error.cause.status });
    }
    const claimProblem = error.code === oauth.JWT_CLAIM_COMPARISON || error.code === oauth.JWT_TIMESTAMP_CHECK;
    return new DeskError(claimProblem ? 'ID_TOKEN_INVALID' : fallback, `The provider's response was rejected: ${error.message.replaceAll('"', '')}.`, { cause: error });
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return new DeskError(fallback, `Not supported: ${error.message}.`, { cause: error });
  }
  if (error instanceof TypeError) {
    return new DeskError(fallback, `The provider's response was rejected: ${error.message}.`, { cause: error });
  }
  return new DeskError('INTERNAL', error instanceof Error ? error.message : 'Unexpected failure.', { cause: error });
}

/**
 * What oauth4webapi's `validateAuthResponse` refused about RFC 9207 `iss`, read from the error's `code`
 * and `cause` (the parameters it was given, and the value it expected), never from its message:
 * `missing` when the provider announces the parameter and the response has none (or an empty one),
 * `different` when it names another issuer than the discovered one, `undefined` for any other refusal.
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function issProblem(error: unknown, metadata: oauth.AuthorizationServer): 'missing' | 'different' | undefined {
  if (!(error instanceof oauth.OperationProcessingError) || error.code !== oauth.INVALID_RESPONSE || !isRecord(error.cause)) return undefined;
  const parameters = error.cause['parameters'];
  if (!(parameters instanceof URLSearchParams)) return undefined;
  const iss = parameters.getAll('iss');
  if (iss.length > 1) return undefined;
  const value = iss[0] ?? '';
  if ('expected' in error.cause) {
    // A value compared with an expectation: about iss when the issuer was expected and iss is not it.
    return error.cause['expected'] === metadata.issuer && value !== '' && value !== metadata.issuer ? 'different' : undefined;
  }
  // Nothing expected: a response without iss where the provider announces it, or a JARM response.
  return value === '' && metadata.authorization_response_iss_parameter_supported === true && !parameters.has('response') ? 'missing' : undefined;
}

/**
 * Translation of oauth4webapi's errors into DeskErrors with stable codes and messages that say what to do.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError, type ErrorCode } from '../errors.ts';

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

/** The message for an OAuth `error` value, with a hint when there is one. */
export function oauthErrorMessage(error: string, description: string | undefined): string {
  const hint = HINTS[error];
  const said = `The provider answered "${error}"${description ? `: ${description.slice(0, 300)}` : ''}.`;
  return hint ? `${said} ${hint}` : said;
}

/**
 * Maps anything thrown by oauth4webapi (or the HTTP client) to a DeskError.
 * @param fallback the code for a response that broke the protocol
 */
export function mapOAuthError(error: unknown, fallback: ErrorCode): DeskError {
  if (error instanceof DeskError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    const code: ErrorCode = error.error === 'invalid_grant' ? 'INVALID_GRANT' : error.error === 'invalid_client' ? 'INVALID_CLIENT' : 'TOKEN_ERROR';
    return new DeskError(code, oauthErrorMessage(error.error, error.error_description), {
      cause: error,
      oauthError: error.error,
      ...(error.error_description === undefined ? {} : { oauthErrorDescription: error.error_description }),
      status: error.status,
    });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const first = error.cause[0];
    const err = first?.parameters.error ?? 'invalid_token';
    return new DeskError(err === 'invalid_token' ? 'INVALID_GRANT' : 'TOKEN_ERROR', oauthErrorMessage(err, first?.parameters.error_description), {
      cause: error, oauthError: err, status: error.status,
    });
  }
  if (error instanceof oauth.OperationProcessingError) {
    if (error.message.includes('JWT "alg"')) {
      return new DeskError('ID_TOKEN_ALG_NOT_ALLOWED', 'The ID token is signed with an algorithm this client does not accept (none, a shared-secret HS algorithm, or one the provider does not announce).', { cause: error });
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

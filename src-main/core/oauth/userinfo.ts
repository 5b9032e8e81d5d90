/**
 * The userinfo request (the access token in the Authorization header, Bearer or DPoP) with the `sub`
 * check of OIDC Core §5.3.2, and the comparison of userinfo claims with the ID token's.
 * @module
 */
import * as oauth from 'oauth4webapi';
import { DeskError } from '../errors.ts';
import type { UserinfoClaimComparison } from '../contract.ts';
import { withDpopNonceRetry, type DpopSigner } from './dpop.ts';
import { mapOAuthError } from './oauth-errors.ts';
import type { ProviderContext } from './provider-context.ts';

/**
 * Calls the userinfo endpoint with the access token in the Authorization header: `DPoP` with a fresh proof
 * for a DPoP-bound token (once more with the provider's nonce when its `WWW-Authenticate` asks for one).
 * A `401` with `invalid_token` becomes `ACCESS_TOKEN_REJECTED` so the caller can refresh once and retry.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 */
export async function fetchUserinfo(ctx: ProviderContext, accessToken: string, expectedSubject: string, dpop?: DpopSigner): Promise<Record<string, unknown>> {
  if (ctx.metadata.userinfo_endpoint === undefined) throw new DeskError('ENDPOINT_NOT_SUPPORTED', 'The provider has no userinfo endpoint.');
  return withDpopNonceRetry(dpop, () => requestUserinfo(ctx, accessToken, expectedSubject, dpop));
}

async function requestUserinfo(ctx: ProviderContext, accessToken: string, expectedSubject: string, dpop: DpopSigner | undefined): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await oauth.userInfoRequest(ctx.metadata, ctx.client, accessToken, { ...ctx.requestOptions, ...(dpop === undefined ? {} : { DPoP: dpop.handle }) });
  } catch (error) {
    throw mapOAuthError(error, 'USERINFO_FAILED');
  }
  try {
    return { ...(await oauth.processUserInfoResponse(ctx.metadata, ctx.client, expectedSubject, response)) };
  } catch (error) {
    if (error instanceof oauth.OperationProcessingError && error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
      throw new DeskError('USERINFO_SUB_MISMATCH', 'The userinfo "sub" differs from the ID token\'s: the response is not about the signed-in user and was refused (OIDC Core §5.3.2).', { cause: error });
    }
    throw mapOAuthError(error, 'USERINFO_FAILED');
  }
}

/** Puts userinfo claims beside the ID token's: same, only here, only there, or different. */
export function compareClaims(userinfo: Readonly<Record<string, unknown>>, idToken: Readonly<Record<string, unknown>>): UserinfoClaimComparison[] {
  const skip = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'at_hash', 'c_hash', 'azp', 'auth_time', 'jti', 'amr', 'acr', 'sid']);
  const names = new Set([...Object.keys(userinfo), ...Object.keys(idToken).filter((k) => !skip.has(k))]);
  return [...names].sort().map((claim) => {
    const inU = Object.hasOwn(userinfo, claim);
    const inI = Object.hasOwn(idToken, claim);
    const u = userinfo[claim];
    const i = idToken[claim];
    const relation = !inI ? 'only-userinfo' : !inU ? 'only-id-token' : JSON.stringify(u) === JSON.stringify(i) ? 'same' : 'different';
    return { claim, userinfo: u, idToken: i, relation };
  });
}

/**
 * Token revocation (RFC 7009) and introspection (RFC 7662), as a public client or with the confidential
 * client's authentication.
 * @module
 */
import * as oauth from 'oauth4webapi';
import type { Introspection } from '../contract.ts';
import { DeskError } from '../errors.ts';
import { mapOAuthError } from './oauth-errors.ts';
import type { ProviderContext } from './provider-context.ts';

/**
 * Revokes a token. Network failures keep their `HTTP_*` code so the caller can retry later.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(ctx: ProviderContext, token: string, hint: 'refresh_token' | 'access_token', clientAuth: oauth.ClientAuth = oauth.None()): Promise<void> {
  if (ctx.metadata.revocation_endpoint === undefined) throw new DeskError('ENDPOINT_NOT_SUPPORTED', 'The provider has no revocation endpoint.');
  try {
    const response = await oauth.revocationRequest(ctx.metadata, ctx.client, clientAuth, token, {
      ...ctx.requestOptions,
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
  } catch (error) {
    throw refined(mapOAuthError(error, 'REVOCATION_FAILED'), 'REVOCATION_FAILED', error);
  }
}

/** A non-network failure under the endpoint's own code, keeping the provider's words and the status. */
function refined(mapped: DeskError, code: 'REVOCATION_FAILED' | 'INTROSPECTION_FAILED', cause: unknown): DeskError {
  if (mapped.category === 'network') return mapped;
  return new DeskError(code, mapped.message, {
    cause,
    ...(mapped.oauthError === undefined ? {} : { oauthError: mapped.oauthError }),
    ...(mapped.oauthErrorDescription === undefined ? {} : { oauthErrorDescription: mapped.oauthErrorDescription }),
    ...(mapped.status === undefined ? {} : { status: mapped.status }),
  });
}

/**
 * Introspects a token where the provider offers it.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspectToken(ctx: ProviderContext, token: string, hint: 'refresh_token' | 'access_token', clientAuth: oauth.ClientAuth = oauth.None()): Promise<Introspection> {
  if (ctx.metadata.introspection_endpoint === undefined) throw new DeskError('ENDPOINT_NOT_SUPPORTED', 'The provider does not offer token introspection.');
  let result: oauth.IntrospectionResponse;
  try {
    const response = await oauth.introspectionRequest(ctx.metadata, ctx.client, clientAuth, token, {
      ...ctx.requestOptions,
      additionalParameters: { token_type_hint: hint },
    });
    result = await oauth.processIntrospectionResponse(ctx.metadata, ctx.client, response);
  } catch (error) {
    throw refined(mapOAuthError(error, 'INTROSPECTION_FAILED'), 'INTROSPECTION_FAILED', error);
  }
  return {
    active: result.active === true,
    ...(typeof result.scope === 'string' ? { scope: result.scope } : {}),
    ...(typeof result.client_id === 'string' ? { clientId: result.client_id } : {}),
    ...(typeof result.exp === 'number' ? { exp: result.exp } : {}),
    ...(typeof result.sub === 'string' ? { sub: result.sub } : {}),
    ...(typeof result.token_type === 'string' ? { tokenType: result.token_type } : {}),
  };
}

/**
 * TEST SCAFFOLDING, not part of OIDC Desk: oidc-provider does not implement the resource owner password
 * grant (RFC 6749 §4.3, deprecated by RFC 9700), so the test provider registers a minimal handler for it
 * with `provider.registerGrantType`: the demo accounts' username and password, an access token, an ID
 * token for `openid`, and a refresh token for `offline_access` that oidc-provider's own refresh grant redeems.
 */
import type { DemoUser } from '../../src-main/demo-idp/provider.ts';

/** The oidc-provider surface the handler uses (oidc-provider ships no types). */
interface ProviderInternals {
  registerGrantType(name: string, handler: (ctx: GrantContext) => Promise<void>, params: readonly string[]): void;
  readonly Grant: new (init: { accountId: string; clientId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> };
  readonly AccessToken: new (init: Record<string, unknown>) => { save(): Promise<string>; readonly expiration: number; scope?: string };
  readonly RefreshToken: new (init: Record<string, unknown>) => { save(): Promise<string> };
  readonly IdToken: new (claims: Record<string, unknown>, options: { ctx: GrantContext }) => { scope?: string; issue(options: { use: string }): Promise<string> };
}

interface GrantContext {
  status: number;
  body: unknown;
  readonly oidc: {
    readonly params: Readonly<Record<string, unknown>>;
    readonly client: { readonly clientId: string; grantTypeAllowed(type: string): boolean };
    entity(name: string, value: unknown): void;
  };
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Registers the test-only password grant on an oidc-provider instance. */
export function registerTestPasswordGrant(providerLike: unknown, users: readonly DemoUser[]): void {
  const provider = providerLike as ProviderInternals;
  provider.registerGrantType('password', async (ctx) => {
    const { username, password, scope } = ctx.oidc.params;
    const user = users.find((u) => u.username === username && u.password === password);
    if (user === undefined) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: 'invalid credentials' };
      return;
    }
    const scopes = (typeof scope === 'string' ? scope.split(' ') : []).filter((s) => OIDC_SCOPES.has(s));
    const client = ctx.oidc.client;
    const grant = new provider.Grant({ accountId: user.sub, clientId: client.clientId });
    grant.addOIDCScope(scopes.join(' '));
    const grantId = await grant.save();
    const authTime = Math.floor(Date.now() / 1000);
    const at = new provider.AccessToken({ accountId: user.sub, client, grantId, gty: 'password', scope: scopes.join(' ') });
    const accessToken = await at.save();
    let refreshToken: string | undefined;
    if (scopes.includes('offline_access') && client.grantTypeAllowed('refresh_token')) {
      refreshToken = await new provider.RefreshToken({ accountId: user.sub, client, grantId, gty: 'password', scope: scopes.join(' '), authTime, rotations: 0 }).save();
    }
    let idToken: string | undefined;
    if (scopes.includes('openid')) {
      const token = new provider.IdToken({ sub: user.sub, name: user.name, preferred_username: user.username, email: user.email, email_verified: user.emailVerified, auth_time: authTime }, { ctx });
      token.scope = scopes.join(' ');
      idToken = await token.issue({ use: 'idtoken' });
    }
    ctx.body = {
      access_token: accessToken, token_type: 'Bearer', expires_in: at.expiration, scope: scopes.join(' '),
      ...(idToken === undefined ? {} : { id_token: idToken }),
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    };
  }, ['username', 'password', 'scope']);
}

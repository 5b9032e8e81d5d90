/**
 * The test provider (test/harness/idp.ts) with the implicit and hybrid response types (OIDC Core §3.2,
 * §3.3) and a native public client allowed them, on both redirect kinds: the app's private-use scheme
 * (answered in the fragment) and loopback (answered with a form post).
 */
import { DEMO_CLIENT, DEMO_LOOPBACK_REDIRECT_URI, DEMO_REDIRECT_URI, startTestIdp, type DemoClient, type StartTestIdpOptions, type TestIdp } from './idp.ts';

/** The client id of {@link FRONT_CHANNEL_CLIENT}. */
export const FRONT_CHANNEL_CLIENT_ID = 'oidc-desk-legacy';

/** Every response type the client may use: the code flow's, the implicit ones and the hybrid ones. */
export const FRONT_CHANNEL_RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;

/** A native public client allowed the implicit and hybrid response types, with the app's two redirect URIs. */
export const FRONT_CHANNEL_CLIENT: DemoClient = Object.freeze({
  client_id: FRONT_CHANNEL_CLIENT_ID,
  client_name: 'OIDC Desk (legacy flows)',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'implicit', 'refresh_token'],
  response_types: [...FRONT_CHANNEL_RESPONSE_TYPES],
  redirect_uris: [DEMO_REDIRECT_URI, DEMO_LOOPBACK_REDIRECT_URI],
});

/** Starts the test provider with the front-channel response types, the demo client and {@link FRONT_CHANNEL_CLIENT}. */
export function startFrontChannelIdp(options: Omit<StartTestIdpOptions, 'clients' | 'grants'> = {}): Promise<TestIdp> {
  return startTestIdp({ ...options, clients: [DEMO_CLIENT, FRONT_CHANNEL_CLIENT], grants: { frontChannel: true } });
}

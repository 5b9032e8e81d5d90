/**
 * A session signed in to the misbehaving provider (test/harness/hostile-idp.ts) through the real session
 * service, for the cases a compliant provider never produces. The memory secret store stands in for the
 * keychain here (marked persistent): these cases are about the provider, not the keychain.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { startHostileIdp, type HostileIdp, type HostileIdpOptions, type HostileReply } from './hostile-idp.ts';

export type RefreshReply = (idp: HostileIdp, form: URLSearchParams) => HostileReply | Promise<HostileReply>;

/** Extra options of {@link setup}. */
export interface HostileSessionOptions extends HostileIdpOptions {
  /** Claims added to the sign-in's ID token (e.g. `azp`). */
  readonly signInClaims?: Record<string, unknown>;
}

/** A provider that signs in "alice" and answers refreshes as the test says. */
export async function setup(refresh: RefreshReply, options: HostileSessionOptions = {}) {
  let nonce = '';
  let rotation = 0;
  const idp = await startHostileIdp({
    ...options,
    token: async (form, self) => {
      if (form.get('grant_type') === 'refresh_token') return refresh(self, form);
      return { json: {
        access_token: 'at-initial-0123456789', token_type: 'Bearer', expires_in: 300, refresh_token: `rt-${rotation++}-abcdefgh`,
        id_token: await self.signIdToken({ sub: 'alice', nonce, auth_time: 1000, ...options.signInClaims }),
      } };
    },
  });
  const secrets = new MemorySecretStore();
  Object.defineProperty(secrets, 'persistent', { value: true });
  const service = await SessionService.open({
    dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-h-')), secrets, fetch: createHttpClient({ timeoutMs: 2000 }), now: Date.now, random: () => 0,
  });
  const profile = parseProfile({ name: 'h', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
  const { started, session } = await service.signIn(profile);
  const auth = new URL(started.authorizationUrl);
  nonce = auth.searchParams.get('nonce') ?? '';
  await service.engine.router.handle(`dev.oidcdesk:/callback?code=c-1&state=${auth.searchParams.get('state')}&iss=${encodeURIComponent(idp.issuer)}`);
  const view = await session;
  return { idp, service, secrets, view };
}

/**
 * The session service of "another process" over the same data directory and keychain (the desktop app
 * and a CLI command, or the CLI after a restart): nothing is shared but the files and the keychain.
 */
export function anotherProcess(service: SessionService, secrets: MemorySecretStore): Promise<SessionService> {
  return SessionService.open({ dataDir: service.dataDir, secrets, fetch: createHttpClient({ timeoutMs: 2000 }), now: Date.now, random: () => 0 });
}

/** A refresh answer with a rotated refresh token and an ID token for alice (plus `claims`). */
export async function refreshedBody(idp: HostileIdp, claims: Record<string, unknown>) {
  return { json: { access_token: 'at-refreshed-0123456789', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-rotated-abcdefgh', id_token: await idp.signIdToken({ sub: 'alice', auth_time: 1000, ...claims }) } };
}


/**
 * A `window.oidcDesk` for the render bench: the API's shape answering at once with N sessions over a few
 * profiles, their expiries spread second by second, so the page measures rendering, not a server.
 */
import type { DeskApi, ProfileView, Result, SessionView } from '../../src-main/core/contract.ts';

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const none = (): Promise<Result<never>> => Promise.resolve({ ok: false, error: { code: 'ENDPOINT_NOT_SUPPORTED', message: 'Not in the bench.' } });

/** The bench's profiles and sessions; expiries start `firstExpiryMs` from `now`, one every 7 s. */
export function benchData(count: number, now: number): { profiles: ProfileView[]; sessions: SessionView[] } {
  const profiles: ProfileView[] = ['okta', 'keycloak', 'entra', 'auth0', 'demo'].map((name) => ({
    name, issuer: `https://${name}.example.com`, clientId: `${name}-client`, scopes: ['openid', 'profile', 'email', 'offline_access'], redirect: 'loopback', allowHttpLoopback: false, extraParams: {}, flow: 'authorization_code', clientAuth: 'none', par: 'auto', dpop: false,
  }));
  const sessions: SessionView[] = Array.from({ length: count }, (_, i) => {
    const profile = profiles[i % profiles.length] as ProfileView;
    return {
      id: `s-${i.toString(16).padStart(8, '0')}`, profile: profile.name, issuer: profile.issuer, clientId: profile.clientId,
      subject: `user-${i}`, displayName: `User ${i}`, scopes: profile.scopes, status: 'active', storage: 'keychain',
      createdAt: now - 3_600_000 + i, updatedAt: now, expiresAt: now + 30_000 + i * 7_000 + 500,
      accessToken: { fingerprint: `***masked-${i.toString(16).padStart(8, '0')}`, length: 43, format: 'opaque' }, idToken: undefined,
      hasRefreshToken: true, refreshing: false, lastError: undefined, flow: 'authorization_code',
    };
  });
  return { profiles, sessions };
}

/** The stub API. */
export function stubDesk(count: number): DeskApi {
  const { profiles, sessions } = benchData(count, Date.now());
  const api: Partial<DeskApi> = {
    listSessions: () => {
      performance.mark('sessions-asked');
      return ok(sessions);
    },
    listProfiles: () => ok(profiles),
    keychainStatus: () => ok({ state: 'available', sessionOnly: false }),
    startupProblems: () => ok([]),
    subscribe: () => () => undefined,
  };
  return new Proxy(api, { get: (target, name: string) => target[name as keyof DeskApi] ?? none }) as DeskApi;
}

/**
 * A session-service process for tests that need a second process: `refresh` (to be killed in the
 * middle of a refresh) and `session-only` (a sign-in with the real keytar and no Secret Service).
 * Prints one JSON line per step on stdout.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient, type FetchLike } from '../../src-main/core/http/client.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { startHostileIdp } from './hostile-idp.ts';

const [mode, ...args] = process.argv.slice(2);
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

if (mode === 'refresh') {
  const [dataDir, service, sessionId, issuer, proxyOrigin] = args as [string, string, string, string, string];
  // Route the provider's origin through the test's proxy, which decides when this process dies.
  const base: FetchLike = (input, init) => fetch(input.toString().replace(new URL(issuer).origin, proxyOrigin), init as RequestInit);
  const sessions = await SessionService.open({ dataDir, secrets: new KeytarSecretStore({ service }), fetch: createHttpClient({ fetch: base }), now: Date.now });
  say({ step: 'refreshing' });
  const view = await sessions.refresh(sessionId);
  say({ step: 'refreshed', status: view.status });
} else if (mode === 'session-only') {
  const nonce = { value: '' };
  const idp = await startHostileIdp({
    token: async (_form, self) => ({ json: {
      access_token: 'at-session-only-0123456789', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-session-only-SECRET-42',
      id_token: await self.signIdToken({ sub: 'alice', nonce: nonce.value }),
    } }),
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-so-'));
  const sessions = await SessionService.open({ dataDir, secrets: new KeytarSecretStore({ service: 'OIDC Desk session-only test', timeoutMs: 3000 }), fetch: createHttpClient(), now: Date.now });
  const profile = parseProfile({ name: 'h', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
  const { started, session } = await sessions.signIn(profile);
  const auth = new URL(started.authorizationUrl);
  nonce.value = auth.searchParams.get('nonce') ?? '';
  await sessions.engine.router.handle(`dev.oidcdesk:/callback?code=c&state=${auth.searchParams.get('state')}&iss=${encodeURIComponent(idp.issuer)}`);
  const view = await session;
  const refreshed = await sessions.refresh(view.id);
  let onDisk = false;
  for (const f of await readdir(dataDir, { recursive: true })) {
    const text = await readFile(join(dataDir, f), 'utf8').catch(() => '');
    if (text.includes('rt-session-only-SECRET')) onDisk = true;
  }
  say({ step: 'done', keychain: await sessions.keychain(), status: view.status, storage: view.storage, refreshedStatus: refreshed.status, refreshTokenOnDisk: onDisk });
  await idp.stop();
  // A keytar call stuck on a dead bus would keep the process alive.
  process.exit(0);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}

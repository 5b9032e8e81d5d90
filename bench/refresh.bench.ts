/**
 * Benchmark: one refresh through the session service against the local provider (token request,
 * ID token verification, rotation written to the store, index update), with the in-memory store and,
 * inside a D-Bus session with gnome-keyring, the real keychain. Ratios are against the memory store.
 * Run: npx tsx bench/refresh.bench.ts   (RUNS=30; for the keychain row run it like bench/keychain.bench.ts)
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHttpClient } from '../src-main/core/http/client.ts';
import { parseProfile } from '../src-main/core/profile.ts';
import { SessionService } from '../src-main/core/session/session-service.ts';
import { KeytarSecretStore } from '../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../src-main/core/store/secret-store.ts';
import { openBrowser } from '../test/harness/browser.ts';
import { DEMO_USERS, startTestIdp } from '../test/harness/idp.ts';
import { printTable, summarize } from './stats.ts';

const runs = Number(process.env.RUNS ?? 30);
const idp = await startTestIdp();
const browser = await openBrowser();
const stores: [string, SecretStore][] = [['memory store (session-only)', new MemorySecretStore()]];
if (process.env.DBUS_SESSION_BUS_ADDRESS) stores.push(['keytar (gnome-keyring)', new KeytarSecretStore({ service: `OIDC Desk bench ${process.pid}` })]);
const rows: (string | number)[][] = [];
let base = 0;
try {
  for (const [name, secrets] of stores) {
    const service = await SessionService.open({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-bench-')), secrets, fetch: createHttpClient(), now: Date.now });
    const profile = parseProfile({ name: 'b', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid profile offline_access', extraParams: { prompt: 'consent' } });
    const { started, session } = await service.signIn(profile);
    await service.engine.router.handle(await browser.signIn(started.authorizationUrl, { username: DEMO_USERS[0]!.username, password: DEMO_USERS[0]!.password, redirectPrefix: 'dev.oidcdesk:/callback' }));
    const { id } = await session;
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await service.refresh(id);
      samples.push(performance.now() - t0);
    }
    const s = summarize(samples);
    if (base === 0) base = s.median;
    rows.push([name, s.median, s.p95, `${(s.median / base).toFixed(2)}x`]);
  }
} finally {
  await browser.close();
  await idp.stop();
}
console.log(`Refresh through the session service, ${runs} runs each (ms):`);
printTable(['secret store', 'median', 'p95', 'vs memory'], rows);
if (stores.length === 1) console.log('(no D-Bus session: the keychain row needs dbus-run-session + gnome-keyring, see bench/keychain.bench.ts)');

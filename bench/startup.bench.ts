/**
 * Benchmark: opening the session service (start-up reads the index only, never the keychain) with
 * 10, 100 and 1000 sessions in the index; ratios against 10 sessions measured in the same run.
 * Run: npx tsx bench/startup.bench.ts
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHttpClient } from '../src-main/core/http/client.ts';
import { SessionService } from '../src-main/core/session/session-service.ts';
import type { ClientCredentialRead } from '../src-main/core/store/client-credential.ts';
import type { SecretRead, SecretStore } from '../src-main/core/store/secret-store.ts';
import { sessionIndexStore, type SessionRecord } from '../src-main/core/store/session-index.ts';
import { printTable, summarize } from './stats.ts';

/** A secret store that counts calls: start-up must make none. */
class CountingStore implements SecretStore {
  readonly persistent = true;
  calls = 0;
  async status() { this.calls++; return { state: 'available' as const }; }
  async get(): Promise<SecretRead> { this.calls++; return { kind: 'absent' }; }
  async set() { this.calls++; }
  async delete() { this.calls++; return false; }
  async getClient(): Promise<ClientCredentialRead> { this.calls++; return { kind: 'absent' }; }
  async setClient() { this.calls++; }
  async deleteClient() { this.calls++; return false; }
}

const rows: (string | number)[][] = [];
let base = 0;
for (const count of [10, 100, 1000]) {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-bench-'));
  const sessions: SessionRecord[] = Array.from({ length: count }, (_, i) => ({
    id: `s-${i.toString(16).padStart(8, '0')}`, profile: `p${i % 7}`, issuer: 'https://dev-123.okta.com/oauth2/default', clientId: '0oa1',
    allowHttpLoopback: false, subject: `user-${i}`, displayName: `User ${i}`, scopes: ['openid', 'profile', 'offline_access'],
    createdAt: i, updatedAt: i, accessTokenExpiresAt: Date.now() + 3600_000, status: 'active', hasRefreshToken: true,
    binding: { iss: 'https://dev-123.okta.com/oauth2/default', sub: `user-${i}`, aud: ['0oa1'], authTime: 1 },
  }));
  await sessionIndexStore(dir, Date.now).update((d) => ({ ...d, sessions }));
  const samples: number[] = [];
  const store = new CountingStore();
  for (let r = 0; r < 30; r++) {
    const t0 = performance.now();
    const service = await SessionService.open({ dataDir: dir, secrets: store, fetch: createHttpClient(), now: Date.now });
    const listed = service.list().length;
    samples.push(performance.now() - t0);
    if (listed !== count) throw new Error('wrong count');
  }
  const s = summarize(samples);
  if (count === 10) base = s.median;
  rows.push([count, s.median, s.p95, `${(s.median / base).toFixed(1)}x`, store.calls]);
}
console.log('Start-up: SessionService.open + list(), 30 runs each (ms):');
printTable(['sessions', 'median', 'p95', 'vs 10 sessions', 'keychain calls'], rows);

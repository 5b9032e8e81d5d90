/**
 * Re-reading the session index under a session's lock: a file still the one this process holds resolves
 * at once (it does not wait behind this process's own index writes); a file another process wrote since
 * is read, and what it says is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { ProviderDirectory } from '../../../../src-main/core/oauth/provider-context.ts';
import { SessionState } from '../../../../src-main/core/session/session-state.ts';
import { TokenCache } from '../../../../src-main/core/session/token-cache.ts';
import { MemorySecretStore } from '../../../../src-main/core/store/memory-secret-store.ts';
import { sessionIndexStore, type SessionRecord } from '../../../../src-main/core/store/session-index.ts';

const record = (id: string): SessionRecord => ({
  id, profile: 'demo', issuer: 'https://idp.example.com', clientId: 'c', allowHttpLoopback: false, subject: 'alice',
  scopes: ['openid'], createdAt: 1, updatedAt: 1, status: 'active', hasRefreshToken: true,
});

async function stateIn(dataDir: string): Promise<SessionState> {
  const index = sessionIndexStore(dataDir, Date.now);
  const fetch = createHttpClient();
  return new SessionState({ dataDir, secrets: new MemorySecretStore(), fetch, now: Date.now }, index, await index.read(), new TokenCache(dataDir), new ProviderDirectory(fetch));
}

test('a re-read of an index this process holds unchanged does not wait behind its own index write', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-reload-'));
  const state = await stateIn(dataDir);
  await state.updateIndex((doc) => ({ ...doc, sessions: [record('s-1')] }));
  const order: string[] = [];
  const written = state.updateIndex((doc) => ({ ...doc, sessions: [...doc.sessions, record('s-2')] })).then(() => order.push('written'));
  const reloaded = state.reload().then(() => order.push('reloaded'));
  await Promise.all([written, reloaded]);
  assert.deepEqual(order, ['reloaded', 'written']);
  assert.deepEqual(state.doc.sessions.map((s) => s.id), ['s-1', 's-2']);
});

test('a re-read after another process changed the index reads it, and keeps what it says', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-reload-'));
  const mine = await stateIn(dataDir);
  await mine.updateIndex((doc) => ({ ...doc, sessions: [record('s-1')] }));
  const theirs = await stateIn(dataDir);
  await theirs.updateIndex((doc) => ({ ...doc, sessions: [...doc.sessions, record('s-2')] }));
  await mine.reload();
  assert.deepEqual(mine.doc.sessions.map((s) => s.id), ['s-1', 's-2']);
});

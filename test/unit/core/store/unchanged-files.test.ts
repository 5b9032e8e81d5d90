/**
 * Files of the data directory that this process wrote or read and that nobody changed since are not read
 * again (the session index under its lock, a session's token cache), while any change by another process
 * (a new file, a rewrite in place, corruption) is read and validated as before. The opens are counted on
 * the real file system through node:fs/promises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import fsp, { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newCacheKey, TokenCache, type HeldTokens } from '../../../../src-main/core/session/token-cache.ts';
import { sessionIndexStore, type SessionRecord } from '../../../../src-main/core/store/session-index.ts';

const now = () => Date.UTC(2026, 10, 23, 12, 0, 0);
const record = (id: string): SessionRecord => ({
  id, profile: 'demo', issuer: 'https://idp.example.com', clientId: 'c', allowHttpLoopback: false, subject: 'alice',
  scopes: ['openid'], createdAt: 1, updatedAt: 1, status: 'active', hasRefreshToken: true,
});

/** Counts the opens for reading of `path` while `fn` runs (real opens: the call goes through). */
async function readOpens(path: string, fn: () => Promise<void>): Promise<number> {
  const original = fsp.open;
  let count = 0;
  fsp.open = (async (file: Parameters<typeof fsp.open>[0], flags?: string | number, mode?: Parameters<typeof fsp.open>[2]) => {
    const forReading = flags === undefined || flags === 'r' || (typeof flags === 'number' && (flags & (constants.O_WRONLY | constants.O_RDWR)) === 0);
    if (String(file) === path && forReading) count += 1;
    return original(file, flags, mode);
  }) as typeof fsp.open;
  syncBuiltinESMExports();
  try {
    await fn();
  } finally {
    fsp.open = original;
    syncBuiltinESMExports();
  }
  return count;
}

test('a change of the index does not read again the file this store wrote last', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-unchanged-'));
  const store = sessionIndexStore(dir, now);
  await store.update((doc) => ({ ...doc, sessions: [record('s-1')] }));
  const opens = await readOpens(join(dir, 'sessions.json'), async () => {
    await store.update((doc) => ({ ...doc, sessions: [...doc.sessions, record('s-2')] }));
    assert.deepEqual((await store.read()).sessions.map((s) => s.id), ['s-1', 's-2']);
  });
  assert.equal(opens, 0);
  assert.deepEqual((JSON.parse(await readFile(join(dir, 'sessions.json'), 'utf8')) as { sessions: SessionRecord[] }).sessions.map((s) => s.id), ['s-1', 's-2']);
});

test('a change of the index made by another process in between is read, and kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-unchanged-'));
  const mine = sessionIndexStore(dir, now);
  const theirs = sessionIndexStore(dir, now);
  await mine.update((doc) => ({ ...doc, sessions: [record('s-1')] }));
  await theirs.update((doc) => ({ ...doc, sessions: [...doc.sessions, record('s-2')] }));
  const opens = await readOpens(join(dir, 'sessions.json'), async () => {
    await mine.update((doc) => ({ ...doc, sessions: [...doc.sessions, record('s-3')] }));
  });
  assert.equal(opens, 1);
  assert.deepEqual((await theirs.read()).sessions.map((s) => s.id), ['s-1', 's-2', 's-3']);
});

test('the index rewritten in place (same file, new content) is read again and validated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-unchanged-'));
  const path = join(dir, 'sessions.json');
  const store = sessionIndexStore(dir, now);
  await store.update((doc) => ({ ...doc, sessions: [record('s-1')] }));
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.replace('"s-1"', '"s-9"'));
  assert.deepEqual((await store.read()).sessions.map((s) => s.id), ['s-9']);
  await writeFile(path, text.replace('"s-1"', '"s/9"'));
  await assert.rejects(store.read(), { code: 'INDEX_CORRUPT' });
});

const held = (accessToken: string): HeldTokens => ({
  accessToken, tokenType: 'Bearer', expiresAt: 2, scope: ['openid'], idToken: undefined, idTokenClaims: undefined, idTokenReport: undefined,
  receivedAt: 1, clockOffsetMs: undefined, boundTo: { issuer: 'https://idp.example.com', clientId: 'c' },
});

test('the token cache does not read again a file this process wrote, and reads one another process replaced', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-unchanged-'));
  const path = join(dir, 'tokens', 's-1.json');
  const binding = { issuer: 'https://idp.example.com', clientId: 'c' };
  const key = newCacheKey();
  const mine = new TokenCache(dir);
  const theirs = new TokenCache(dir);
  await mine.write('s-1', key, held('access-1'));
  let opens = await readOpens(path, async () => {
    assert.equal((await mine.read('s-1', key, binding))?.accessToken, 'access-1');
    assert.equal((await mine.read('s-1', key, binding))?.accessToken, 'access-1');
  });
  assert.equal(opens, 0);
  await theirs.write('s-1', key, held('access-2'));
  opens = await readOpens(path, async () => {
    assert.equal((await mine.read('s-1', key, binding))?.accessToken, 'access-2');
  });
  assert.equal(opens, 1);
  // Another key (the keychain entry was replaced), another binding, or a tampered file: never the remembered tokens.
  assert.equal(await mine.read('s-1', newCacheKey(), binding), undefined);
  assert.equal(await mine.read('s-1', key, { ...binding, clientId: 'other' }), undefined);
  const envelope = JSON.parse(await readFile(path, 'utf8')) as { data: string };
  await writeFile(path, JSON.stringify({ ...envelope, data: `A${envelope.data.slice(1)}` }));
  assert.equal(await mine.read('s-1', key, binding), undefined);
});

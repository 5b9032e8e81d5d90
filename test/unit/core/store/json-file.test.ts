import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionIndexStore } from '../../../../src-main/core/store/session-index.ts';
import { ProfileStore } from '../../../../src-main/core/store/profiles.ts';

const now = () => Date.UTC(2026, 10, 23, 12, 0, 0);
const record = {
  id: 's-1', profile: 'demo', issuer: 'https://idp.example.com', clientId: 'c', allowHttpLoopback: false, subject: 'alice',
  scopes: ['openid'], createdAt: 1, updatedAt: 1, status: 'active' as const, hasRefreshToken: true,
};

test('the index is written atomically with mode 0600 and no temp file left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-'));
  const store = sessionIndexStore(dir, now);
  await store.update((doc) => ({ ...doc, sessions: [record] }));
  const st = await stat(join(dir, 'sessions.json'));
  assert.equal(st.mode & 0o777, 0o600);
  assert.deepEqual((await readdir(dir)).sort(), ['sessions.json']);
  const doc = JSON.parse(await readFile(join(dir, 'sessions.json'), 'utf8')) as { schemaVersion: number };
  assert.equal(doc.schemaVersion, 1);
  assert.deepEqual((await store.read()).sessions, [record]);
});

test('a corrupt index is reported and kept aside, never silently overwritten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-'));
  await writeFile(join(dir, 'sessions.json'), '{"schemaVersion":1,"sessions":[{"id":', { mode: 0o600 });
  const store = sessionIndexStore(dir, now);
  await assert.rejects(store.read(), { code: 'INDEX_CORRUPT' });
  const files = await readdir(dir);
  const aside = files.find((f) => f.startsWith('sessions.json.corrupt-'));
  assert.ok(aside, 'the corrupt file is kept aside');
  assert.equal(await readFile(join(dir, aside), 'utf8'), '{"schemaVersion":1,"sessions":[{"id":');
  assert.deepEqual((await store.read()).sessions, [], 'afterwards a new index starts');
});

test('a well-formed index with an invalid record is corrupt too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-'));
  await writeFile(join(dir, 'sessions.json'), JSON.stringify({ schemaVersion: 1, sessions: [{ ...record, status: 'weird' }] }), { mode: 0o600 });
  await assert.rejects(sessionIndexStore(dir, now).read(), { code: 'INDEX_CORRUPT' });
});

test('an index from a newer version is reported and left untouched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-'));
  const newer = JSON.stringify({ schemaVersion: 99, sessions: 'new shape' });
  await writeFile(join(dir, 'sessions.json'), newer, { mode: 0o600 });
  const store = sessionIndexStore(dir, now);
  await assert.rejects(store.read(), { code: 'INDEX_NEWER_VERSION' });
  await assert.rejects(store.update((d) => d), { code: 'INDEX_NEWER_VERSION' });
  assert.equal(await readFile(join(dir, 'sessions.json'), 'utf8'), newer);
});

test('profiles: add, refuse a duplicate, list, remove', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-profiles-'));
  const profiles = new ProfileStore(dir, now);
  await profiles.add({ name: 'okta', issuer: 'https://dev-1.okta.com/oauth2/default', clientId: '0oa1', redirect: 'loopback' });
  await assert.rejects(profiles.add({ name: 'okta', issuer: 'https://dev-1.okta.com', clientId: '0oa2' }), { code: 'PROFILE_EXISTS' });
  const [p] = await new ProfileStore(dir, now).list();
  assert.equal(p?.clientId, '0oa1');
  assert.deepEqual(p?.redirect, { kind: 'loopback' });
  await profiles.remove('okta');
  assert.equal((await profiles.list()).length, 0);
  await assert.rejects(profiles.remove('okta'), { code: 'PROFILE_NOT_FOUND' });
  await assert.rejects(profiles.get('nope'), { code: 'PROFILE_NOT_FOUND' });
});

test('the session service starts with a corrupt index kept aside, and says so', async () => {
  const { SessionService } = await import('../../../../src-main/core/session/session-service.ts');
  const { MemorySecretStore } = await import('../../../../src-main/core/store/memory-secret-store.ts');
  const { createHttpClient } = await import('../../../../src-main/core/http/client.ts');
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-'));
  await writeFile(join(dir, 'sessions.json'), 'not json', { mode: 0o600 });
  const service = await SessionService.open({ dataDir: dir, secrets: new MemorySecretStore(), fetch: createHttpClient(), now });
  assert.equal(service.startupProblem?.code, 'INDEX_CORRUPT');
  assert.deepEqual(service.list(), []);
  await writeFile(join(dir, 'sessions.json'), JSON.stringify({ schemaVersion: 2, sessions: [] }), { mode: 0o600 });
  await assert.rejects(SessionService.open({ dataDir: dir, secrets: new MemorySecretStore(), fetch: createHttpClient(), now }), { code: 'INDEX_NEWER_VERSION' });
});

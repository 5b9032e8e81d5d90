/** The session index as read from disk: a session id is a file name and a keychain account, so one that is not a plain id makes the index refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionIndexStore } from '../../../../src-main/core/store/session-index.ts';

const record = { profile: 'p', issuer: 'https://idp.example', clientId: 'c', subject: 's', scopes: ['openid'], createdAt: 1, updatedAt: 1, status: 'active', hasRefreshToken: true };

for (const id of ['../../escape', 'a/b', '.hidden', 's-1\u001b[2J', '']) {
  test(`an index naming a session "${JSON.stringify(id)}" is refused as corrupt (no path or account is built from it)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-'));
    await writeFile(join(dir, 'sessions.json'), JSON.stringify({ schemaVersion: 1, sessions: [{ ...record, id }], revocations: [] }), { mode: 0o600 });
    await assert.rejects(sessionIndexStore(dir, Date.now).read(), { code: 'INDEX_CORRUPT' });
  });
}

test('a plain session id is read back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-'));
  await writeFile(join(dir, 'sessions.json'), JSON.stringify({ schemaVersion: 1, sessions: [{ ...record, id: 's-0123abcd' }], revocations: [] }), { mode: 0o600 });
  assert.equal((await sessionIndexStore(dir, Date.now).read()).sessions[0]?.id, 's-0123abcd');
});

/**
 * A corrupt index or profiles file is kept aside and reported on every start until the user deals with it,
 * never replaced silently (SECURITY.md, "data dir").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { SessionService } from '../../../../src-main/core/session/session-service.ts';
import { MemorySecretStore } from '../../../../src-main/core/store/memory-secret-store.ts';

function open(dataDir: string): Promise<SessionService> {
  return SessionService.open({ dataDir, secrets: new MemorySecretStore(), fetch: createHttpClient(), now: Date.now });
}

for (const name of ['sessions.json', 'profiles.json']) {
  test(`a corrupt ${name} is reported on every start while its aside copy exists, with where it is and what to do`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-aside-'));
    await writeFile(join(dataDir, name), '{"schemaVersion":1,', { mode: 0o600 });
    for (let start = 1; start <= 3; start++) {
      const service = await open(dataDir);
      const aside = (await readdir(dataDir)).filter((f) => f.startsWith(`${name}.corrupt-`));
      assert.equal(aside.length, 1, 'one copy kept aside, never overwritten');
      const problem = service.startupProblem;
      assert.equal(problem?.code, 'INDEX_CORRUPT', `start ${start} reports it`);
      assert.ok(problem.message.includes(join(dataDir, aside[0]!)), `the message says where the copy is: ${problem.message}`);
      assert.match(problem.message, /keychain/, 'it says what it means for the sessions (their keychain entries stay)');
      assert.match(problem.message, /delete it/i, 'it says how to deal with it');
      service.close();
    }
    await rm(join(dataDir, (await readdir(dataDir)).find((f) => f.startsWith(`${name}.corrupt-`))!));
    const service = await open(dataDir);
    assert.equal(service.startupProblem, undefined, 'dealt with: no more report');
    service.close();
  });
}

test('both files corrupt: one start-up problem names both copies', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-aside-'));
  await writeFile(join(dataDir, 'sessions.json'), 'not json', { mode: 0o600 });
  await writeFile(join(dataDir, 'profiles.json'), JSON.stringify({ schemaVersion: 1, profiles: 'wrong' }), { mode: 0o600 });
  const service = await open(dataDir);
  assert.match(service.startupProblem?.message ?? '', /sessions\.json\.corrupt-.*profiles\.json\.corrupt-|profiles\.json\.corrupt-.*sessions\.json\.corrupt-/s);
  service.close();
});

/**
 * The demo provider's protection is anchored on the data directory's demo keys and the issuers its demo
 * provider recorded, not on profile names: a profile of the user's own on a local provider that happens to
 * use the demo client id `oidc-desk`, in a data directory whose demo provider ran and is stopped now, is
 * refreshed, asked for userinfo and signed out as usual, and the demo provider is not started for it, even
 * when that profile is named "demo".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readDemoState, runningDemoProvider, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { Cli, KEYRING, NO_KEYRING, endCliRuns, isRecord } from '../harness/cli-runner.ts';

let idp: TestIdp;
const demoDirs: string[] = [];
before(async () => {
  idp = await startTestIdp();
});
after(async () => {
  for (const dir of demoDirs) await stopDemoProvider({ dataDir: dir }).catch(() => undefined);
  await idp?.stop();
  endCliRuns();
});

/** Renames the profile a session belongs to in sessions.json (as a front could have named it). */
async function renameSessionProfile(dataDir: string, sessionId: string, profile: string): Promise<void> {
  const path = join(dataDir, 'sessions.json');
  const doc: unknown = JSON.parse(await readFile(path, 'utf8'));
  assert.ok(isRecord(doc) && Array.isArray(doc['sessions']));
  doc['sessions'] = doc['sessions'].map((s: unknown) => (isRecord(s) && s['id'] === sessionId ? { ...s, profile } : s));
  await writeFile(path, JSON.stringify(doc));
}

test('a profile of the user\'s own on a local provider with client id oidc-desk is not affected by the demo provider\'s protection', { skip: KEYRING ? false : NO_KEYRING, timeout: 300_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  // The demo provider ran here (demo keys, a recorded issuer) and is stopped now.
  await cli.login('demo');
  const demo = await readDemoState(cli.dataDir);
  assert.ok(demo?.pid);
  assert.equal(await stopDemoProvider({ dataDir: cli.dataDir }), true);

  const add = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent']);
  assert.equal(add.code, 0, add.stderr);
  const id = await cli.login('local');
  await cli.storedRefreshToken(id);
  await idp.resetCounts();
  for (const args of [['refresh', id], ['userinfo', id]]) {
    const r = await cli.run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /demo provider|DEMO_PORT_TAKEN|SIGN_IN_NEEDED/);
  }
  assert.equal((await idp.counts())['token:refresh_token'], 1);
  assert.equal((await idp.counts())['userinfo'], 1);

  // The session of a profile named "demo" that is the user's own provider: the name decides nothing.
  await renameSessionProfile(cli.dataDir, id, 'demo');
  const renamed = await cli.run(['refresh', id]);
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.equal((await idp.counts())['token:refresh_token'], 2);
  await cli.storedRefreshToken(id);

  const out = await cli.run(['logout', id]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /revoked at the provider/);
  assert.equal(await runningDemoProvider(cli.dataDir), undefined, 'the demo provider was not started for it');
  assert.equal((await readDemoState(cli.dataDir))?.issuer, demo.issuer, 'the demo provider\'s issuer is unchanged');
});

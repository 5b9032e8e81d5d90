/**
 * The commands that read a session's keychain entry (token, refresh, userinfo, logout) open the keychain's
 * connection while the desk opens the data directory: with the keychain unreachable, what the user sees is
 * still the answer of the command's own call (a missing session stays SESSION_NOT_FOUND; a session whose
 * entry cannot be read fails with a keychain code), and `sessions` never touches the keychain.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Cli, assertFailed, endCliRuns } from '../harness/cli-runner.ts';
import { dataDirWithSessions } from '../harness/session-fixtures.ts';

after(() => endCliRuns());

/** No reachable Secret Service: a D-Bus address that leads nowhere, and no display to start one from. */
function unreachableKeychain(dir: string): Record<string, string | undefined> {
  return { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-bus')}`, DISPLAY: undefined, WAYLAND_DISPLAY: undefined };
}

test('keychain unreachable: token, refresh, userinfo and logout of an unknown session still say SESSION_NOT_FOUND', async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(2);
  for (const command of ['token', 'refresh', 'userinfo', 'logout']) {
    assertFailed(await cli.start(['--data-dir', dataDir, command, 's-0000ffff'], unreachableKeychain(dataDir), true).done, 2, 'SESSION_NOT_FOUND');
  }
});

test('keychain unreachable: token of a listed session fails with a keychain code and prints no token; sessions still lists', async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(2);
  const env = unreachableKeychain(dataDir);
  assertFailed(await cli.start(['--data-dir', dataDir, 'token', 's-00000001'], env, true).done, 5, /^error KEYCHAIN_(UNAVAILABLE|LOCKED|TIMEOUT): /m);
  const listed = await cli.start(['--data-dir', dataDir, 'sessions', '--json'], env, true).done;
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 2);
});

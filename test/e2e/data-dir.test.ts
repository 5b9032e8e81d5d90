/**
 * The CLI and its data directory: a directory other users may write, or a symbolic link in place of a data
 * file, stops every command (exit 2, the path and the fix in the message); a corrupt index or profiles file
 * is reported on stderr by every command until its aside copy is dealt with.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cli, assertFailed, endCliRuns } from '../harness/cli-runner.ts';

const POSIX = process.platform !== 'win32';

after(() => endCliRuns());

test('a data directory other users may write: every command refuses it with exit 2 and says "chmod 700"', { skip: !POSIX }, async () => {
  const cli = await Cli.create();
  await chmod(cli.dataDir, 0o777);
  for (const args of [['sessions'], ['profile', 'list'], ['profile', 'add', 'x', '--issuer', 'https://idp.example.com', '--client-id', 'c'], ['token', 's-00000000']]) {
    const r = await cli.run(args);
    assertFailed(r, 2, 'DATA_DIR_INSECURE');
    assert.ok(r.stderr.includes(cli.dataDir), 'the message names the directory');
    assert.match(r.stderr, /chmod 700/);
  }
  assert.deepEqual(await readdir(cli.dataDir), [], 'nothing was written');
});

test('sessions.json as a symbolic link: every command refuses it, nothing read or written through it', { skip: !POSIX }, async () => {
  const cli = await Cli.create();
  const elsewhere = join(await mkdtemp(join(tmpdir(), 'oidc-desk-elsewhere-')), 'sessions.json');
  const planted = JSON.stringify({ schemaVersion: 1, sessions: [], revocations: [] });
  await writeFile(elsewhere, planted);
  await symlink(elsewhere, join(cli.dataDir, 'sessions.json'));
  for (const args of [['sessions'], ['profile', 'add', 'x', '--issuer', 'https://idp.example.com', '--client-id', 'c']]) {
    const r = await cli.run(args);
    assertFailed(r, 2, 'DATA_DIR_INSECURE');
    assert.match(r.stderr, /symbolic link/);
  }
  assert.equal(await readFile(elsewhere, 'utf8'), planted);
});

for (const name of ['sessions.json', 'profiles.json']) {
  test(`a corrupt ${name}: every command warns on stderr while the aside copy exists; stdout stays clean`, async () => {
    const cli = await Cli.create();
    await writeFile(join(cli.dataDir, name), '{"schemaVersion":1,"broken', { mode: 0o600 });
    for (const args of [['sessions', '--json'], ['profile', 'list', '--json'], ['sessions']]) {
      const r = await cli.run(args);
      assert.equal(r.code, 0, r.stderr);
      const aside = (await readdir(cli.dataDir)).find((f) => f.startsWith(`${name}.corrupt-`));
      assert.ok(aside, 'kept aside');
      const warning = r.stderr.split('\n').find((l) => l.startsWith('warning: '));
      assert.ok(warning, `${args.join(' ')} warns:\n${r.stderr}`);
      assert.ok(warning.includes(join(cli.dataDir, aside)), 'the warning says where the copy is');
      assert.match(warning, /keychain/);
      if (args.includes('--json')) assert.doesNotThrow(() => JSON.parse(r.stdout) as unknown, 'stdout is still only the JSON');
    }
    const aside = (await readdir(cli.dataDir)).find((f) => f.startsWith(`${name}.corrupt-`))!;
    await rm(join(cli.dataDir, aside));
    const r = await cli.run(['sessions']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning:/, 'dealt with: no more warning');
  });
}

/**
 * A demo session answered from the token cache needs nothing from the network: `token`, `token --type id`
 * and `inspect` on a demo session make no request at all (not even to ask the demo provider who it is) and
 * do not start it; only a command that has to send a token (here `refresh`) starts the demo provider again
 * on its recorded issuer.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readDemoState, runningDemoProvider, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { Cli, KEYRING, NO_KEYRING, endCliRuns } from '../harness/cli-runner.ts';
import { countConnections } from '../harness/connection-counter.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

const demoDirs: string[] = [];
after(async () => {
  for (const dir of demoDirs) await stopDemoProvider({ dataDir: dir }).catch(() => undefined);
  endCliRuns();
});

test('token on a demo session answered from the cache makes no request at all and starts nothing', { skip: KEYRING ? false : NO_KEYRING, timeout: 300_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  try {
    const id = await cli.login('demo');
    await cli.storedRefreshToken(id);
    const state = await readDemoState(cli.dataDir);
    assert.ok(state?.pid, 'the demo provider runs');
    const first = await cli.run(['token', id]);
    assert.equal(first.code, 0, first.stderr);
    recordSecrets(first.stdout.trim());
    assert.equal(await stopDemoProvider({ dataDir: cli.dataDir }), true);

    // Whatever sits on the demo provider's port counts every connection: none may come.
    const port = await countConnections(state.port);
    try {
      const again = await cli.run(['token', id]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, first.stdout, 'the cached access token');
      const idToken = await cli.run(['token', id, '--type', 'id']);
      assert.equal(idToken.code, 0, idToken.stderr);
      recordSecrets(idToken.stdout.trim());
      const report = await cli.run(['inspect', id]);
      assert.equal(report.code, 0, report.stderr);
      assert.equal(port.count(), 0, 'no connection reached the demo provider\'s port');
    } finally {
      await port.close();
    }

    // Nothing on the port now: a cached answer still does not start the demo provider.
    const quiet = await cli.run(['token', id]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout, first.stdout);
    assert.doesNotMatch(quiet.stderr, /Starting the demo provider/);
    assert.equal(await runningDemoProvider(cli.dataDir), undefined, 'the demo provider was not started');
    assert.equal((await readDemoState(cli.dataDir))?.pid, null);

    // A command that must send a token starts it again, on the recorded issuer.
    const refreshed = await cli.run(['refresh', id]);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.match(refreshed.stderr, /Starting the demo provider/);
    const now = await readDemoState(cli.dataDir);
    assert.equal(now?.issuer, state.issuer, 'on the same issuer');
    assert.ok(now?.pid, 'it runs');
  } finally {
    await stopDemoProvider({ dataDir: cli.dataDir });
  }
});

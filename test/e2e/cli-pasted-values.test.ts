/**
 * A token pasted where the real `oidc-desk` expects a session id, a profile name or a browser command:
 * exit 2, and the token appears nowhere in what the command printed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHostileIdp } from '../harness/hostile-idp.ts';
import { PASTED_JWT, PASTED_REFRESH, echoes } from '../harness/pasted-values.ts';
import { Cli, KEYRING, NO_KEYRING, assertFailed, endCliRuns, type CliRun } from '../harness/cli-runner.ts';

after(() => {
  endCliRuns();
});

function notEchoed(r: CliRun, token: string, label: string): void {
  const all = `${r.stdout}\n${r.stderr}`;
  assert.ok(!all.includes(token) && !echoes(all, token), `${label}: the pasted token is not repeated:\n${r.stderr}`);
}

test('a pasted ID token or refresh token as session id or profile name: every command exits 2 without repeating it', async () => {
  const cli = await Cli.create();
  for (const token of [PASTED_JWT, PASTED_REFRESH]) {
    const cases: [string[], string][] = [
      [['token', token], 'SESSION_NOT_FOUND'],
      [['token', token, '--type', 'id', '--json'], 'SESSION_NOT_FOUND'],
      [['refresh', token, '--json'], 'SESSION_NOT_FOUND'],
      [['userinfo', token], 'SESSION_NOT_FOUND'],
      [['logout', token], 'SESSION_NOT_FOUND'],
      [['login', token, '--no-open', '--timeout', '5'], 'PROFILE_NOT_FOUND'],
      [['profile', 'remove', token], 'PROFILE_NOT_FOUND'],
    ];
    // A JWT given to inspect is inspected (that is what it is for); anything else is a session id.
    if (token !== PASTED_JWT) cases.push([['inspect', token], 'SESSION_NOT_FOUND']);
    else cases.push([['profile', 'add', token, '--issuer', 'https://idp.example', '--client-id', 'c'], 'PROFILE_INVALID']);
    for (const [argv, code] of cases) {
      const label = argv.map((a) => (a === token ? '<pasted>' : a)).join(' ');
      const r = await cli.run(argv);
      assertFailed(r, 2, code);
      notEchoed(r, token, label);
    }
  }
});

test('a pasted token as --browser-command: login exits 2 without repeating it', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const idp = await startHostileIdp();
  try {
    const cli = await Cli.create();
    assert.equal((await cli.run(['profile', 'add', 'p', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback'])).code, 0);
    for (const token of [PASTED_JWT, PASTED_REFRESH]) {
      const r = await cli.run(['login', 'p', '--browser-command', token, '--timeout', '30']);
      assertFailed(r, 2, 'USAGE');
      notEchoed(r, token, 'login --browser-command <pasted>');
    }
  } finally {
    await idp.stop();
  }
});

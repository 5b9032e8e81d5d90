/**
 * `oidc-desk profile add --param`: parameters no flow supports yet (`response_mode`), the engine's own,
 * client credentials and an invalid `max_age` are refused with exit 2 and nothing stored; a valid
 * `max_age` is kept and listed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cli, assertFailed, isRecord } from '../harness/cli-runner.ts';

const ADD = ['profile', 'add', 'p', '--issuer', 'https://dev-123.okta.com/oauth2/default', '--client-id', '0oa1'];

test('profile add --param: response_mode, engine parameters, credentials and a bad max_age exit 2; max_age=300 is kept', async () => {
  const cli = await Cli.create();
  const modeRun = await cli.run([...ADD, '--param', 'response_mode=form_post']);
  assertFailed(modeRun, 2, 'PROFILE_INVALID');
  assert.match(modeRun.stderr, /response modes are not supported/);
  for (const param of ['response_type=token', 'redirect_uri=http://127.0.0.1:1/x', 'state=abc', 'client_secret=s3cr3t-0123456789', 'max_age=-5', 'max_age=1.5', 'max_age=soon']) {
    const r = await cli.run([...ADD, '--param', param]);
    assertFailed(r, 2, 'PROFILE_INVALID');
    assert.ok(!r.stderr.includes(param.slice(param.indexOf('=') + 1)), `the value is not echoed: ${r.stderr}`);
  }
  assert.deepEqual(await cli.json(['profile', 'list']), []);
  const ok = await cli.run([...ADD, '--param', 'max_age=300']);
  assert.equal(ok.code, 0, ok.stderr);
  const list = await cli.json(['profile', 'list']);
  assert.ok(Array.isArray(list) && isRecord(list[0]) && isRecord(list[0]['params']));
  assert.deepEqual(list[0]['params'], { max_age: '300' });
});

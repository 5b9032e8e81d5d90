/**
 * `oidc-desk profile add` with control characters in the issuer or the redirect (a terminal escape, a
 * tab or line break that the WHATWG URL parser would drop silently): refused with exit 2, nothing
 * stored, and nothing of the value printed back to the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cli, assertFailed } from '../harness/cli-runner.ts';

test('profile add: an issuer or redirect with control characters exits 2, is not stored and not echoed', async () => {
  const cli = await Cli.create();
  const marker = 'pasted-value-0123456789';
  const cases: readonly (readonly [string, string, string])[] = [
    ['--issuer', `https://dev-123.okta.com/oauth2/\x1b]0;${marker}\x07default`, 'ISSUER_INVALID'],
    ['--issuer', `https://dev-123.okta.com/oauth2/${marker}\tdefault`, 'ISSUER_INVALID'],
    ['--issuer', `https://dev-123.okta.com/${marker}\r\n`, 'ISSUER_INVALID'],
    ['--issuer', `https://dev-123.okta.com/${marker}\x85`, 'ISSUER_INVALID'],
    ['--redirect', `com.okta.dev-123:/${marker}\x1b[2J`, 'REDIRECT_SCHEME_INVALID'],
    ['--redirect', `http://127.0.0.1:8765/${marker}\n`, 'REDIRECT_SCHEME_INVALID'],
    ['--redirect', `http://127.0.0.1:8765/${marker}\x7f`, 'REDIRECT_SCHEME_INVALID'],
  ];
  for (const [option, value, code] of cases) {
    const args = ['profile', 'add', 'bad', '--issuer', 'https://dev-123.okta.com/oauth2/default', '--client-id', '0oa1', option, value];
    const r = await cli.run(args);
    assertFailed(r, 2, code);
    assert.ok(!r.stderr.includes(marker), `${option}: the value is not echoed: ${JSON.stringify(r.stderr)}`);
    assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, `${option}: no control character reaches the terminal`);
  }
  assert.deepEqual(await cli.json(['profile', 'list']), []);
});

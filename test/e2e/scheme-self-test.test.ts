/**
 * The scheme self-test through the real OS: under a private X display and XDG home, the registry writes its
 * desktop entry with `command` pointing at a small stand-in program (test/harness/handoff-receiver.ts). The
 * stand-in is NOT the app: it stands in for the app's second instance that the OS starts with the URL, and
 * hands its argv back to the test, which feeds the URL to `accept` as the app's deep-link dispatcher would.
 * xdg-open opens the self-test URL as Electron's `shell.openExternal` does on Linux.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractDeepLink } from '../../src-main/core/deep-link.ts';
import type { SchemeRegistry } from '../../src-main/electron/scheme-registration.ts';
import { standInRegistry } from '../harness/private-desktop.ts';
import { handoffSkipReason, startHandoffEnvironment, type HandoffEnvironment } from '../harness/xdg-handoff.ts';

const SKIP = handoffSkipReason() ?? false;
const WAIT_MS = 30_000;
// Without digits: xdg-open 1.1.3 (Debian 12) outside a desktop session takes a URL whose scheme has a digit
// (Okta's com.okta.dev-123456) for a file name and fails (its is_file_url_or_path); that is xdg-open's, not ours.
const PROFILE_SCHEME = 'com.okta.example';

function registryIn(desk: HandoffEnvironment, selfTestTimeoutMs: number): SchemeRegistry {
  return standInRegistry(desk, ['dev.oidcdesk', PROFILE_SCHEME], selfTestTimeoutMs);
}

test('self-test through xdg-open: the URL reaches the stand-in after `--`, accept takes it once, arrived', { skip: SKIP, timeout: 120_000 }, async () => {
  // The harness's own handler is for another scheme: ours are registered by the registry alone.
  const desk = await startHandoffEnvironment({ scheme: 'org.example.harness' });
  try {
    const schemes = registryIn(desk, WAIT_MS);
    await schemes.register([PROFILE_SCHEME]);
    assert.equal((await schemes.status(PROFILE_SCHEME)).registered, 'yes');

    for (const scheme of [PROFILE_SCHEME, 'dev.oidcdesk']) {
      const testing = schemes.selfTest(scheme);
      const handoff = await desk.nextHandoff(WAIT_MS);
      const url = extractDeepLink(handoff.argv, [scheme]);
      assert.ok(url !== undefined, 'the stand-in got a link of the scheme');
      assert.match(url, new RegExp(`^${scheme.replaceAll('.', '\\.')}:/self-test\\?nonce=[A-Za-z0-9_-]{22}$`));
      assert.deepEqual(handoff.argv.slice(-2), ['--', url], 'the URL alone, after --');
      assert.equal(schemes.accept(url), true);
      const result = await testing;
      assert.equal(typeof result.waitedMs, 'number');
      assert.ok(result.waitedMs >= 0);
      assert.equal(schemes.accept(url), false, 'a second delivery is not accepted');
      assert.equal(schemes.intercept(url), true, 'and it never goes on to the callback router');
    }
  } finally {
    await desk.stop();
  }
});

test('self-test: a wrong nonce is not accepted, and the test ends with SCHEME_TEST_TIMEOUT', { skip: SKIP, timeout: 120_000 }, async () => {
  const desk = await startHandoffEnvironment({ scheme: 'org.example.harness' });
  try {
    const schemes = registryIn(desk, 4_000);
    await schemes.register([PROFILE_SCHEME]);
    const testing = schemes.selfTest(PROFILE_SCHEME);
    const outcome = testing.then(() => 'arrived', (e: unknown) => (e as { code?: unknown }).code);
    const handoff = await desk.nextHandoff(WAIT_MS);
    const url = extractDeepLink(handoff.argv, [PROFILE_SCHEME]) ?? assert.fail('no link');
    const nonce = new URL(url).searchParams.get('nonce') ?? '';
    const wrong = url.replace(nonce, `${nonce.slice(0, -2)}${nonce.endsWith('xx') ? 'yy' : 'xx'}`);
    assert.equal(schemes.accept(wrong), false, 'a wrong nonce');
    assert.equal(schemes.accept(url.replace(`${PROFILE_SCHEME}:`, 'dev.oidcdesk:')), false, 'the nonce on another scheme');
    assert.equal(schemes.intercept(wrong), true, 'dropped before the router all the same');
    assert.equal(await outcome, 'SCHEME_TEST_TIMEOUT');
    assert.equal(schemes.accept(url), false, 'after the timeout the right URL is not accepted either');
  } finally {
    await desk.stop();
  }
});

test('self-test of a scheme no program handles: xdg-open fails, SCHEME_REGISTRATION_FAILED', { skip: SKIP, timeout: 120_000 }, async () => {
  const desk = await startHandoffEnvironment({ scheme: 'org.example.harness' });
  try {
    const schemes = registryIn(desk, 4_000);
    await assert.rejects(schemes.selfTest('org.example.nobody'), (e: unknown) => (e as { code?: unknown }).code === 'SCHEME_REGISTRATION_FAILED');
  } finally {
    await desk.stop();
  }
});

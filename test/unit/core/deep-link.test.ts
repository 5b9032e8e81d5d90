import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractDeepLink, isReverseDomainScheme, MAX_DEEP_LINK_BYTES } from '../../../src-main/core/deep-link.ts';

const SCHEMES = ['dev.oidcdesk'] as const;
const LINK = 'dev.oidcdesk:/callback?code=abc&state=xyz';
const EXE = '/opt/OIDC Desk/oidc-desk';

test('the Windows registry form: the single argument after -- is the deep link', () => {
  assert.equal(extractDeepLink([EXE, '--', LINK], SCHEMES), LINK);
  // Chromium puts its own switches before the separator; they are ignored.
  assert.equal(extractDeepLink([EXE, '--allow-file-access-from-files', '--original-process-start-time=1', '--', LINK], SCHEMES), LINK);
});

test('after --, anything but exactly one deep link gives undefined', () => {
  assert.equal(extractDeepLink([EXE, '--'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, '--', LINK, '--inspect'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, '--', '--inspect', LINK], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, '--', LINK, LINK], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, '--', '--gpu-launcher=evil'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, '--', 'https://evil.example/'], SCHEMES), undefined);
  // A link before the separator never counts.
  assert.equal(extractDeepLink([EXE, LINK, '--'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, LINK, '--', 'dev.oidcdesk:/callback?code=other'], SCHEMES), 'dev.oidcdesk:/callback?code=other');
});

test('the Linux/macOS form: the URL as a plain argument', () => {
  assert.equal(extractDeepLink([EXE, LINK], SCHEMES), LINK);
  assert.equal(extractDeepLink(['/usr/bin/node', '/app/main.js', LINK], SCHEMES), LINK);
});

test('injected switches around the deep link are ignored, never taken (CVE-2018-1000006)', () => {
  assert.equal(extractDeepLink([EXE, '--inspect', LINK], SCHEMES), LINK);
  assert.equal(extractDeepLink([EXE, LINK, '--gpu-launcher=evil'], SCHEMES), LINK);
  assert.equal(extractDeepLink([EXE, '--inspect=0.0.0.0:9229', LINK, '--gpu-launcher=cmd /c calc', '--no-sandbox'], SCHEMES), LINK);
  assert.equal(extractDeepLink([EXE, '--inspect'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, '--gpu-launcher=evil'], SCHEMES), undefined);
  // A switch carrying our scheme as its value is still a switch.
  assert.equal(extractDeepLink([EXE, `--gpu-launcher=${LINK}`], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, `-${LINK}`], SCHEMES), undefined);
});

test('two candidate URLs give undefined', () => {
  assert.equal(extractDeepLink([EXE, LINK, 'dev.oidcdesk:/callback?code=other&state=xyz'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, LINK, LINK], SCHEMES), undefined);
});

test('foreign schemes are never taken', () => {
  for (const foreign of ['javascript:alert(1)', 'file:///etc/passwd', 'https://evil.example/callback?code=abc', 'data:text/html,x', 'dev.oidcdesk.evil:/callback', 'xdev.oidcdesk:/callback', 'dev-oidcdesk:/callback']) {
    assert.equal(extractDeepLink([EXE, foreign], SCHEMES), undefined, foreign);
    assert.equal(extractDeepLink([EXE, '--', foreign], SCHEMES), undefined, foreign);
  }
  // A foreign URL next to ours is not a second candidate; ours is still found.
  assert.equal(extractDeepLink([EXE, 'javascript:alert(1)', LINK], SCHEMES), LINK);
});

test('the scheme name matches case-insensitively and the argument is returned as given', () => {
  const upper = 'DEV.OIDCDESK:/callback?code=abc&state=xyz';
  assert.equal(extractDeepLink([EXE, upper], SCHEMES), upper);
  assert.equal(extractDeepLink([EXE, '--', 'Dev.OidcDesk:/callback?code=abc'], SCHEMES), 'Dev.OidcDesk:/callback?code=abc');
  // The scheme prefix must be exact: no whitespace, no missing colon.
  assert.equal(extractDeepLink([EXE, ' dev.oidcdesk:/callback'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, 'dev.oidcdesk/callback'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, 'dev.oidcdesk'], SCHEMES), undefined);
});

test('oversized links, control characters and non-strings are refused', () => {
  const fits = `dev.oidcdesk:/callback?pad=${'a'.repeat(MAX_DEEP_LINK_BYTES - 'dev.oidcdesk:/callback?pad='.length)}`;
  assert.equal(extractDeepLink([EXE, fits], SCHEMES), fits);
  assert.equal(extractDeepLink([EXE, `${fits}a`], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, 'dev.oidcdesk:/callback?code=a\nb'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, 'dev.oidcdesk:/callback?code=a b'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, 'dev.oidcdesk:/callback?code=a\u0000'], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, 42, { toString: () => LINK }, null], SCHEMES), undefined);
  assert.equal(extractDeepLink([EXE, '--', 42], SCHEMES), undefined);
  assert.equal(extractDeepLink('dev.oidcdesk:/callback' as unknown as readonly unknown[], SCHEMES), undefined);
});

test('schemes that are not reverse-domain private-use schemes never match', () => {
  assert.equal(extractDeepLink([EXE, 'https://example.com/callback'], ['https']), undefined);
  assert.equal(extractDeepLink([EXE, 'javascript:alert(1)'], ['javascript']), undefined);
  assert.equal(extractDeepLink([EXE, 'myapp:/callback'], ['myapp']), undefined);
  assert.equal(extractDeepLink([EXE, LINK], []), undefined);
});

test('isReverseDomainScheme follows RFC 8252 §7.1', () => {
  for (const good of ['dev.oidcdesk', 'com.example.app', 'io.github.user.app-1', 'com.example+x.app', 'a.b']) {
    assert.equal(isReverseDomainScheme(good), true, good);
  }
  for (const bad of [
    'http', 'https', 'file', 'javascript', 'data', 'about', 'blob', 'myapp', '', '.dev.oidcdesk', 'dev.oidcdesk.',
    'dev..oidcdesk', '1dev.oidcdesk', 'dev.oidc_desk', 'dev.oidc desk', 'dev.oidcdesk:', 'Dev.OidcDesk', 'dev.oidcdésk',
    `a.${'b'.repeat(300)}`,
  ]) {
    assert.equal(isReverseDomainScheme(bad), false, bad);
  }
  assert.equal(isReverseDomainScheme(42), false);
  assert.equal(isReverseDomainScheme(undefined), false);
});

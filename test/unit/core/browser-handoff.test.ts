/** The redirect file that carries an authorization URL to the browser: private, exclusive, escaped, removable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedirectFile, redirectPage } from '../../../src-main/core/browser-handoff.ts';
import { escapeHtml } from '../../../src-main/core/util.ts';
import { DeskError } from '../../../src-main/core/errors.ts';

const AUTHORIZATION_URL = 'https://idp.example/authorize?client_id=c&state=st-0123456789&code_challenge=ch-0123456789&redirect_uri=http%3A%2F%2F127.0.0.1%3A1234%2Fcallback';

/** The URL the page's meta refresh and its link point to, with HTML character references decoded. */
function targets(html: string): string[] {
  const decode = (s: string): string => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replaceAll('&amp;', '&');
  const refresh = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(html)?.[1];
  const link = /<a href="([^"]*)">/.exec(html)?.[1];
  return [refresh, link].map((v) => decode(v ?? ''));
}

test('the redirect file is 0600 in a new 0700 directory of this user, and its page leads to exactly the URL', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'oidc-desk-handoff-test-'));
  const file = await createRedirectFile(AUTHORIZATION_URL, parent);
  try {
    assert.equal(dirname(dirname(file.path)), parent);
    assert.equal(fileURLToPath(file.url), file.path, 'the opener gets the file: URL of the file');
    assert.ok(!file.url.includes('state') && !file.url.includes('code_challenge'));
    const info = lstatSync(file.path);
    assert.ok(info.isFile() && !info.isSymbolicLink());
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal(info.uid, process.getuid?.());
    const dir = lstatSync(dirname(file.path));
    assert.equal(dir.mode & 0o777, 0o700);
    assert.equal(dir.uid, process.getuid?.());
    const html = readFileSync(file.path, 'utf8');
    assert.deepEqual(targets(html), [AUTHORIZATION_URL, AUTHORIZATION_URL]);
    assert.ok(!/<script/i.test(html), 'no script');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'"/);
  } finally {
    file.remove();
  }
  assert.equal(existsSync(file.path), false, 'the file is removed');
  assert.equal(existsSync(dirname(file.path)), false, 'and its directory');
  file.remove(); // idempotent
});

test('every redirect file gets its own directory', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'oidc-desk-handoff-test-'));
  const a = await createRedirectFile(AUTHORIZATION_URL, parent);
  const b = await createRedirectFile(AUTHORIZATION_URL, parent);
  assert.notEqual(dirname(a.path), dirname(b.path));
  a.remove();
  assert.equal(existsSync(b.path), true, 'removing one leaves the other');
  b.remove();
});

test('markup in the URL stays inside the attribute', () => {
  const url = 'https://idp.example/a\'b?x="><script>alert(1)</script>&y=1';
  const html = redirectPage(url);
  assert.ok(!html.includes('<script>'));
  assert.ok(!html.includes('"><'));
  assert.deepEqual(targets(html), [url, url]);
  assert.equal(escapeHtml(`&<>"'`), '&#38;&#60;&#62;&#34;&#39;');
});

test('only an http(s) URL is written; a missing parent directory fails with BROWSER_HANDOFF_FAILED', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'oidc-desk-handoff-test-'));
  for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'not a url']) {
    await assert.rejects(createRedirectFile(bad, parent), (e: unknown) => e instanceof DeskError && e.code === 'BROWSER_HANDOFF_FAILED', bad);
  }
  await assert.rejects(createRedirectFile(AUTHORIZATION_URL, join(parent, 'missing')), (e: unknown) => e instanceof DeskError && e.code === 'BROWSER_HANDOFF_FAILED');
});

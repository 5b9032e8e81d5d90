/** Where the client script goes into the renderer's index.html: before the first script (a classic script runs before deferred modules), once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_SCRIPT_TAG, notBuiltPage, withClientScript } from '../../../src-main/web/static-files.ts';

test('the client script goes before the renderer\'s first script, else at the end of head, else first; never twice', () => {
  const vite = '<!doctype html><html><head><title>x</title><script type="module" crossorigin src="./assets/index-abc.js"></script></head><body></body></html>';
  const out = withClientScript(vite);
  assert.ok(out.indexOf(CLIENT_SCRIPT_TAG) < out.indexOf('<script type="module"') && out.includes(CLIENT_SCRIPT_TAG));
  assert.equal(withClientScript(out), out, 'a page that has it keeps one');
  const noScript = withClientScript('<html><HEAD><title>x</title></HEAD><body></body></html>');
  assert.ok(noScript.indexOf(CLIENT_SCRIPT_TAG) < noScript.indexOf('</HEAD>'));
  assert.ok(withClientScript('<p>bare</p>').startsWith(CLIENT_SCRIPT_TAG));
});

test('the not-built page says what to run, names the directory as text, and carries no inline script', () => {
  const page = notBuiltPage('/opt/<oidc>/dist/renderer');
  assert.match(page, /npm run build/);
  assert.match(page, /&#60;oidc&#62;/);
  assert.equal(page.match(/<script/g)?.length, 1, 'only the client script');
});

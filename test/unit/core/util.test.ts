import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errnoCode, escapeHtml, isRecord } from '../../../src-main/core/util.ts';

test('isRecord: a non-null object that is not an array', () => {
  assert.equal(isRecord({}), true);
  assert.equal(isRecord(JSON.parse('{"a":1}')), true);
  assert.equal(isRecord(new Error('x')), true);
  for (const value of [null, undefined, [], [1], 'a', 1, true]) assert.equal(isRecord(value), false, String(value));
});

test('errnoCode: the errno code of a real failure, nothing else of it', () => {
  let thrown: unknown;
  try {
    readFileSync('/nonexistent/oidc-desk-util-test');
  } catch (error) {
    thrown = error;
  }
  assert.equal(errnoCode(thrown), 'ENOENT');
  for (const value of [new Error('EPIPE'), { code: 'ERR_INVALID_ARG_TYPE' }, { code: 'Epipe' }, { code: 32 }, 'EPIPE', null, undefined]) {
    assert.equal(errnoCode(value), undefined, JSON.stringify(value) ?? String(value));
  }
});

test('escapeHtml: the five characters that matter in content and quoted attributes', () => {
  assert.equal(escapeHtml(`<img src=x onerror="a('b')">&`), '&#60;img src=x onerror=&#34;a(&#39;b&#39;)&#34;&#62;&#38;');
});

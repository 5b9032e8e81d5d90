/** The lists' order: names case-insensitively, distinct names never equal; sessions by profile, age, then id. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNames, compareSessions } from '../../../src-renderer/format/order.ts';

test('names sort without regard to case, and names that differ only in case keep a fixed order', () => {
  assert.deepEqual(['Okta', 'demo', 'auth0', 'Keycloak', 'okta', 'entra'].sort(compareNames), ['auth0', 'demo', 'entra', 'Keycloak', 'Okta', 'okta']);
  assert.deepEqual(['okta', 'Okta'].sort(compareNames), ['Okta', 'okta']);
  assert.equal(compareNames('same', 'same'), 0);
  assert.ok(compareNames('a', 'B') < 0 && compareNames('B', 'a') > 0);
});

test('sessions: by profile, then oldest first, then by id, whatever order they came in', () => {
  const s = (profile: string, createdAt: number, id: string) => ({ profile, createdAt, id });
  const sorted = [s('okta', 1, 'b'), s('Demo', 5, 'x'), s('okta', 1, 'a'), s('okta', 0, 'z'), s('demo', 9, 'y')].sort(compareSessions);
  assert.deepEqual(sorted.map((x) => `${x.profile}/${x.createdAt}/${x.id}`), ['Demo/5/x', 'demo/9/y', 'okta/0/z', 'okta/1/a', 'okta/1/b']);
});

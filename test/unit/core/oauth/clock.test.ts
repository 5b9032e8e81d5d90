import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateClockOffset } from '../../../../src-main/core/oauth/clock.ts';

const LOCAL = Date.UTC(2026, 10, 23, 10, 0, 0);

test('server Date header minus local receive time', () => {
  assert.equal(estimateClockOffset('Mon, 23 Nov 2026 10:05:00 GMT', LOCAL), 5 * 60_000);
  assert.equal(estimateClockOffset('Mon, 23 Nov 2026 09:59:30 GMT', LOCAL), -30_000);
  assert.equal(estimateClockOffset('Mon, 23 Nov 2026 10:00:00 GMT', LOCAL), 0);
});

test('absent or unparseable headers give undefined', () => {
  assert.equal(estimateClockOffset(null, LOCAL), undefined);
  assert.equal(estimateClockOffset('', LOCAL), undefined);
  assert.equal(estimateClockOffset('not a date', LOCAL), undefined);
  assert.equal(estimateClockOffset(`Mon, 23 Nov 2026 10:05:00 GMT${' '.repeat(100)}x`, LOCAL), undefined);
  assert.equal(estimateClockOffset('Mon, 23 Nov 2026 10:05:00 GMT', Number.NaN), undefined);
});

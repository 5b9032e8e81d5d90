import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKOFF_MAX_MS, RefreshScheduler, backoffDelay } from '../../../../src-main/core/session/scheduler.ts';

test('backoff grows exponentially, stays within [ceiling/2, ceiling], and is capped', () => {
  assert.equal(backoffDelay(1, 0), 1000);
  assert.equal(backoffDelay(1, 1), 2000);
  assert.equal(backoffDelay(3, 0), 4000);
  assert.equal(backoffDelay(3, 1), 8000);
  assert.equal(backoffDelay(30, 1), BACKOFF_MAX_MS);
});

test('retries back off attempt by attempt and reset after success', () => {
  const s = new RefreshScheduler({ now: () => 0, random: () => 1, refresh: async () => undefined });
  assert.equal(s.planRetry('a'), 2000);
  assert.equal(s.planRetry('a'), 4000);
  assert.equal(s.nextAt('a')?.attempt, 2);
  s.succeeded('a');
  assert.equal(s.planRetry('a'), 2000);
});

test('expiry plans refresh shortly before the token expires', () => {
  const s = new RefreshScheduler({ now: () => 0, random: () => 0, refresh: async () => undefined });
  s.planExpiry('a', 3_600_000);
  assert.equal(s.nextAt('a')?.at, 3_600_000 - 60_000);
  s.planExpiry('b', 100_000);
  assert.equal(s.nextAt('b')?.at, 90_000, 'short-lived tokens refresh at 90% of their life');
});

test('a started scheduler fires the planned refresh', async () => {
  const fired: string[] = [];
  const s = new RefreshScheduler({ now: () => Date.now(), random: () => 0, refresh: async (id) => void fired.push(id) });
  s.planExpiry('a', Date.now());
  s.start();
  await new Promise((r) => setTimeout(r, 20));
  s.stop();
  assert.deepEqual(fired, ['a']);
});

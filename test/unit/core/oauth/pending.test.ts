import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingFlows } from '../../../../src-main/core/oauth/pending.ts';

test('a flow is taken once, then absent', () => {
  const now = 0;
  const flows = new PendingFlows<{ state: string; createdAt: number }>({ now: () => now });
  flows.add({ state: 's1', createdAt: now });
  assert.equal(flows.take('s1')?.state, 's1');
  assert.equal(flows.take('s1'), undefined);
});

test('an expired flow is absent', () => {
  let now = 0;
  const flows = new PendingFlows<{ state: string; createdAt: number }>({ now: () => now, ttlMs: 1000 });
  flows.add({ state: 's1', createdAt: 0 });
  now = 1000;
  assert.equal(flows.has('s1'), false);
  assert.equal(flows.take('s1'), undefined);
});

test('the number of waiting flows is bounded; expired ones make room', () => {
  let now = 0;
  const flows = new PendingFlows<{ state: string; createdAt: number }>({ now: () => now, ttlMs: 1000, max: 2 });
  flows.add({ state: 'a', createdAt: 0 });
  flows.add({ state: 'b', createdAt: 0 });
  assert.throws(() => flows.add({ state: 'c', createdAt: 0 }), { code: 'FLOW_LIMIT' });
  now = 1000;
  flows.add({ state: 'c', createdAt: 1000 });
  assert.equal(flows.size, 1);
});

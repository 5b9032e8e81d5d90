import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingFlows } from '../../../../src-main/core/oauth/pending.ts';

type Entry = { state: string; signal: AbortSignal };

test('a flow is taken once, then absent', () => {
  const flows = new PendingFlows<Entry>();
  flows.add({ state: 's1', signal: new AbortController().signal });
  assert.equal(flows.take('s1')?.state, 's1');
  assert.equal(flows.take('s1'), undefined);
});

test('a flow whose deadline signal aborted is absent', () => {
  const flows = new PendingFlows<Entry>();
  const deadline = new AbortController();
  flows.add({ state: 's1', signal: deadline.signal });
  assert.equal(flows.has('s1'), true);
  deadline.abort();
  assert.equal(flows.has('s1'), false);
  assert.equal(flows.take('s1'), undefined);
});

test('a flow whose deadline passed already is refused', () => {
  const flows = new PendingFlows<Entry>();
  assert.throws(() => flows.add({ state: 's1', signal: AbortSignal.abort() }), { code: 'FLOW_TIMEOUT' });
  assert.equal(flows.size, 0);
});

test('the number of waiting flows is bounded; ended ones make room', () => {
  const flows = new PendingFlows<Entry>({ max: 2 });
  const a = new AbortController();
  flows.add({ state: 'a', signal: a.signal });
  flows.add({ state: 'b', signal: new AbortController().signal });
  assert.throws(() => flows.add({ state: 'c', signal: new AbortController().signal }), { code: 'FLOW_LIMIT' });
  a.abort();
  flows.add({ state: 'c', signal: new AbortController().signal });
  assert.equal(flows.size, 2);
  assert.deepEqual(flows.values().map((f) => f.state), ['b', 'c']);
});

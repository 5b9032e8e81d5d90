/**
 * The renderer's list of sign-in outcomes: a flow without a browser is heard twice (its event and the
 * answer of its start, in either order, possibly in one render); it stays one outcome, and this window's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionView } from '../../../src-main/core/contract.ts';
import { OUTCOMES_KEPT, withOutcome, type SignInOutcome } from '../../../src-renderer/format/sign-in-outcomes.ts';

const session = { id: 's1', profile: 'pw' } as unknown as SessionView;
const answer: SignInOutcome = { flowId: 'f1', ok: true, session, startedHere: true };
const event: SignInOutcome = { flowId: 'f1', ok: true, session, startedHere: false };

test('the answer then the event: one outcome, still started here', () => {
  const list = withOutcome(withOutcome([], answer), event);
  assert.equal(list.length, 1);
  assert.equal(list[0]?.ok === true && list[0].startedHere, true);
});

test('the event then the answer: one outcome, started here', () => {
  const list = withOutcome(withOutcome([], event), answer);
  assert.equal(list.length, 1);
  assert.equal(list[0]?.ok === true && list[0].startedHere, true);
});

test('another window\'s sign-in is not made this window\'s', () => {
  const list = withOutcome([], event);
  assert.equal(list[0]?.ok === true && list[0].startedHere, false);
});

test('a success replaces the previous success; failures stay, newest first, a few at most', () => {
  const failure = (n: number): SignInOutcome => ({ flowId: `x${n}`, ok: false, profile: 'p', error: { code: 'FLOW_TIMEOUT', message: 'm' } });
  let list: readonly SignInOutcome[] = [];
  for (let n = 0; n < OUTCOMES_KEPT + 2; n += 1) list = withOutcome(list, failure(n));
  assert.equal(list.length, OUTCOMES_KEPT);
  assert.equal(list[0]?.flowId, `x${OUTCOMES_KEPT + 1}`);
  list = withOutcome(list, answer);
  list = withOutcome(list, { ...answer, flowId: 'f2' });
  assert.deepEqual(list.filter((o) => o.ok).map((o) => o.flowId), ['f2']);
  assert.equal(list[0]?.flowId, 'f2');
});

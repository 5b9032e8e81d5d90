/**
 * The exchange log keeps its entries compactly (header records as pooled text, texts repeated across
 * exchanges held once) and gives back exactly what was added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeLog, type Exchange } from '../../../../src-main/core/http/exchange-log.ts';

const discovery = (n: number): Omit<Exchange, 'id'> => ({
  startedAt: 1_000 + n,
  method: 'GET',
  url: 'https://idp.example/.well-known/openid-configuration',
  requestHeaders: { accept: 'application/json', 'user-agent': 'oidc-desk' },
  requestBody: '',
  status: 200,
  statusText: 'OK',
  responseHeaders: { 'content-type': 'application/json', date: `Thu, 01 Jan 2026 00:00:${String(n % 60).padStart(2, '0')} GMT`, 'cache-control': 'max-age=300' },
  responseBody: '{"issuer":"https://idp.example"}',
  responseBytes: 32,
  durationMs: 3,
  context: { sessionId: `s${n}` },
});

const tokenCall = (n: number): Omit<Exchange, 'id'> => ({
  startedAt: 2_000 + n,
  method: 'POST',
  url: 'https://idp.example/token',
  requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' },
  requestBody: `grant_type=refresh_token&refresh_token=***masked-${n.toString(16).padStart(8, '0')}`,
  requestBytes: 60,
  durationMs: 9,
  errorCode: 'HTTP_TIMEOUT',
  context: { flowId: `f${n}` },
});

test('entries give back each exchange as added: fields, headers with their Date, no field it did not have', () => {
  const log = new ExchangeLog();
  const added = [log.add(discovery(1)), log.add(tokenCall(2)), log.add(discovery(3))];
  assert.deepEqual(log.entries(), added);
  const [, failed] = log.entries();
  assert.equal(failed !== undefined && 'responseHeaders' in failed, false, 'a failed exchange has no response headers');
  assert.equal(failed !== undefined && 'status' in failed, false);
  assert.deepEqual(log.entries({ sessionId: 's3' }), [added[2]]);
});

test('a text repeated by many exchanges is held once; a fingerprinted one is not pooled', () => {
  const log = new ExchangeLog(1_000);
  for (let n = 0; n < 200; n++) log.add(discovery(n));
  // url, request headers, the empty body, response headers without Date, response body.
  assert.equal(log.pooledTexts, 5);
  for (let n = 0; n < 200; n++) log.add(tokenCall(n));
  // The token call adds its url and request headers; its fingerprinted body stays its own.
  assert.equal(log.pooledTexts, 7);
});

test('entries leaving the log release their texts', () => {
  const log = new ExchangeLog(3);
  log.add(discovery(1));
  for (let n = 0; n < 3; n++) log.add(tokenCall(n));
  assert.equal(log.entries().length, 3);
  assert.equal(log.pooledTexts, 2, 'only the token calls\' url and request headers remain');
  assert.equal(log.entries().every((e) => e.method === 'POST'), true);
});

test('assign re-tags a sign-in\'s entries to its session and keeps them whole', () => {
  const log = new ExchangeLog();
  const added = log.add(tokenCall(7));
  assert.equal(log.assign('f7', 'sess'), 1);
  assert.deepEqual(log.entries({ sessionId: 'sess' }), [{ ...added, context: { flowId: 'f7', sessionId: 'sess' } }]);
});

test('assign finds a sign-in\'s entries among others, after older ones left the log and after a clear', () => {
  const log = new ExchangeLog(5);
  const flowCall = (n: number, flowId: string): Omit<Exchange, 'id'> => ({ ...tokenCall(n), context: { flowId } });
  log.add(flowCall(1, 'fa'));
  log.add(flowCall(2, 'fb'));
  log.add(flowCall(3, 'fa'));
  for (let n = 4; n < 8; n += 1) log.add(discovery(n));
  // The log keeps 5: the first two exchanges (one of fa, fb's only one) have left it.
  assert.equal(log.assign('fb', 'sb'), 0);
  assert.equal(log.assign('fa', 'sa'), 1);
  assert.deepEqual(log.entries({ sessionId: 'sa' }).map((e) => e.startedAt), [2_003]);
  log.add(flowCall(8, 'fb'));
  assert.equal(log.assign('fb', 'sb'), 1);
  log.clear();
  assert.equal(log.assign('fa', 'sa'), 0);
  log.add(flowCall(9, 'fa'));
  log.add(flowCall(10, 'fc'));
  assert.equal(log.assign('fa', 'sa2'), 1);
  assert.deepEqual(log.entries({ sessionId: 'sa2' }).map((e) => e.context?.flowId), ['fa']);
});

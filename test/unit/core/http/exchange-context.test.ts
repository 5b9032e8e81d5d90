/**
 * Attribution of exchanges: every request made through a fetch tagged with `fetchFor` carries its session
 * or sign-in id (logged, never sent), concurrent operations never mix, and the log lists and re-tags
 * entries by them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpClient, type FetchLike } from '../../../../src-main/core/http/client.ts';
import { fetchFor } from '../../../../src-main/core/http/exchange-context.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';

let server: Server;
let base: string;
const received: IncomingHttpHeaders[] = [];

before(async () => {
  server = createServer((req, res) => {
    received.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('an exchange carries the context its fetch was tagged with; untagged, none; the tag is never sent', async () => {
  const log = new ExchangeLog();
  const handed: unknown[] = [];
  const underlying: FetchLike = (input, init) => {
    handed.push(init);
    return fetch(input, init as RequestInit);
  };
  const http = createHttpClient({ log, fetch: underlying });
  assert.equal(fetchFor(http, undefined), http, 'no context: the fetch itself');
  received.length = 0;
  await http(`${base}/outside`);
  const session = fetchFor(http, { sessionId: 's-1' });
  await sleep(1);
  await session(`${base}/a`, { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await fetchFor(http, { flowId: 'f-1' })(`${base}/b`);
  const [outside, a, b] = log.entries();
  assert.equal(outside?.context, undefined);
  assert.deepEqual(a?.context, { sessionId: 's-1' });
  assert.equal(a?.requestBody, 'x=1', 'the caller\'s options are kept');
  assert.deepEqual(b?.context, { flowId: 'f-1' });
  assert.equal(handed.length, 3);
  for (const init of handed) assert.ok(typeof init === 'object' && init !== null && !('context' in init), 'the underlying fetch never sees the tag');
  assert.equal(received.length, 3);
  for (const headers of received) assert.ok(!JSON.stringify(headers).includes('s-1') && !JSON.stringify(headers).includes('f-1'));
});

test('a context given later does not change an exchange logged earlier; concurrent operations never mix', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  const context = { sessionId: 'first' };
  const tagged = fetchFor(http, context);
  await tagged(`${base}/first`);
  (context as { sessionId: string }).sessionId = 'changed';
  assert.deepEqual(log.entries()[0]?.context, { sessionId: 'first' }, 'the tag is a copy of the context given');
  log.clear();
  const run = async (id: string): Promise<void> => {
    const mine = fetchFor(http, { sessionId: id });
    for (let i = 0; i < 5; i += 1) {
      await sleep(Math.floor(Math.random() * 3));
      await mine(`${base}/${id}/${i}`);
    }
  };
  await Promise.all([run('s-a'), run('s-b'), run('s-c')]);
  assert.equal(log.entries().length, 15);
  for (const entry of log.entries()) {
    assert.equal(entry.context?.sessionId, new URL(entry.url).pathname.split('/')[1], entry.url);
  }
});

test('the log lists entries by session or by sign-in, and assigns a sign-in\'s entries to the session it became', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  const signIn = fetchFor(http, { flowId: 'f-1' });
  await signIn(`${base}/discovery`);
  await signIn(`${base}/token`);
  await fetchFor(http, { flowId: 'f-2' })(`${base}/other-sign-in`);
  await fetchFor(http, { sessionId: 's-1' })(`${base}/refresh`);
  assert.deepEqual(log.entries({ flowId: 'f-1' }).map((e) => new URL(e.url).pathname), ['/discovery', '/token']);
  assert.deepEqual(log.entries({ sessionId: 's-1' }).map((e) => new URL(e.url).pathname), ['/refresh']);

  assert.equal(log.assign('f-1', 's-1'), 2);
  assert.deepEqual(log.entries({ sessionId: 's-1' }).map((e) => new URL(e.url).pathname), ['/discovery', '/token', '/refresh']);
  assert.deepEqual(log.entries({ flowId: 'f-1' }).map((e) => e.context), [{ flowId: 'f-1', sessionId: 's-1' }, { flowId: 'f-1', sessionId: 's-1' }], 'the sign-in id is kept');
  assert.deepEqual(log.entries({ flowId: 'f-2' }).map((e) => e.context), [{ flowId: 'f-2' }], 'another sign-in is untouched');
  assert.equal(log.assign('unknown', 's-1'), 0);
  assert.equal(log.entries().length, 4);
});

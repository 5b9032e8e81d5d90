/**
 * Attribution of exchanges: every request made inside `withExchangeContext` carries its session or
 * sign-in id through any number of awaits, concurrent contexts never mix, and the log lists and
 * re-tags entries by them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { currentExchangeContext, withExchangeContext } from '../../../../src-main/core/http/exchange-context.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';

let server: Server;
let base: string;

before(async () => {
  server = createServer((_req, res) => {
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

test('an exchange carries the context it was made in, through awaits; outside, none', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  await http(`${base}/outside`);
  await withExchangeContext({ sessionId: 's-1' }, async () => {
    await sleep(1);
    await http(`${base}/a`);
    assert.deepEqual(currentExchangeContext(), { sessionId: 's-1' });
  });
  await withExchangeContext({ flowId: 'f-1' }, () => http(`${base}/b`));
  const [outside, a, b] = log.entries();
  assert.equal(outside?.context, undefined);
  assert.deepEqual(a?.context, { sessionId: 's-1' });
  assert.deepEqual(b?.context, { flowId: 'f-1' });
  assert.equal(currentExchangeContext(), undefined);
});

test('an inner context replaces the outer one; concurrent contexts never mix', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  await withExchangeContext({ sessionId: 'outer' }, () => withExchangeContext({ flowId: 'inner' }, () => http(`${base}/nested`)));
  assert.deepEqual(log.entries()[0]?.context, { flowId: 'inner' });
  log.clear();
  const run = (id: string) => withExchangeContext({ sessionId: id }, async () => {
    for (let i = 0; i < 5; i += 1) {
      await sleep(Math.floor(Math.random() * 3));
      await http(`${base}/${id}/${i}`);
    }
  });
  await Promise.all([run('s-a'), run('s-b'), run('s-c')]);
  assert.equal(log.entries().length, 15);
  for (const entry of log.entries()) {
    assert.equal(entry.context?.sessionId, new URL(entry.url).pathname.split('/')[1], entry.url);
  }
});

test('the log lists entries by session or by sign-in, and assigns a sign-in\'s entries to the session it became', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  await withExchangeContext({ flowId: 'f-1' }, async () => {
    await http(`${base}/discovery`);
    await http(`${base}/token`);
  });
  await withExchangeContext({ flowId: 'f-2' }, () => http(`${base}/other-sign-in`));
  await withExchangeContext({ sessionId: 's-1' }, () => http(`${base}/refresh`));
  assert.deepEqual(log.entries({ flowId: 'f-1' }).map((e) => new URL(e.url).pathname), ['/discovery', '/token']);
  assert.deepEqual(log.entries({ sessionId: 's-1' }).map((e) => new URL(e.url).pathname), ['/refresh']);

  assert.equal(log.assign('f-1', 's-1'), 2);
  assert.deepEqual(log.entries({ sessionId: 's-1' }).map((e) => new URL(e.url).pathname), ['/discovery', '/token', '/refresh']);
  assert.deepEqual(log.entries({ flowId: 'f-1' }).map((e) => e.context), [{ flowId: 'f-1', sessionId: 's-1' }, { flowId: 'f-1', sessionId: 's-1' }], 'the sign-in id is kept');
  assert.deepEqual(log.entries({ flowId: 'f-2' }).map((e) => e.context), [{ flowId: 'f-2' }], 'another sign-in is untouched');
  assert.equal(log.assign('unknown', 's-1'), 0);
  assert.equal(log.entries().length, 4);
});

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';
import { DeskError } from '../../../../src-main/core/errors.ts';

// The core fetch hands back a response whose body it has read already (capped and logged): it must read
// like any fetch Response for oauth4webapi and the core (once, clone before reading, a stream on demand).

let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/json') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-extra': 'kept' });
      res.end(JSON.stringify({ token_type: 'Bearer', word: 'caf\u00e9' }));
      return;
    }
    if (path === '/empty') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === '/slow') return; // never answers
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('nothing here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('the response keeps status, headers and body, and its body is read once', async () => {
  const http = createHttpClient();
  const res = await http(`${base}/json`);
  assert.ok(res instanceof Response);
  assert.equal(res.status, 200);
  assert.equal(res.ok, true);
  assert.equal(res.headers.get('x-extra'), 'kept');
  assert.equal(res.bodyUsed, false);
  const copy = res.clone();
  assert.deepEqual(await res.json(), { token_type: 'Bearer', word: 'caf\u00e9' });
  assert.equal(res.bodyUsed, true);
  await assert.rejects(res.text(), TypeError);
  assert.throws(() => res.clone(), TypeError);
  assert.equal(await copy.text(), JSON.stringify({ token_type: 'Bearer', word: 'caf\u00e9' }));
});

test('every way of reading gives the same bytes, and the body stream too', async () => {
  const http = createHttpClient();
  const expected = Buffer.from(JSON.stringify({ token_type: 'Bearer', word: 'caf\u00e9' }));
  const first = await http(`${base}/json`);
  assert.deepEqual(Buffer.from(await first.arrayBuffer()), expected);
  const second = await http(`${base}/json`);
  assert.deepEqual(Buffer.from(await (await second.blob()).arrayBuffer()), expected);
  const third = await http(`${base}/json`);
  assert.ok(third.body !== null);
  const streamed = Buffer.from(await new Response(third.body).arrayBuffer());
  assert.deepEqual(streamed, expected);
  assert.equal(third.bodyUsed, true);
  const notFound = await http(`${base}/nothing`);
  assert.equal(notFound.status, 404);
  assert.equal(await notFound.text(), 'nothing here');
});

test('a response with no body has a null body and reads as empty', async () => {
  const http = createHttpClient();
  const res = await http(`${base}/empty`);
  assert.equal(res.status, 204);
  assert.equal(res.body, null);
  assert.equal(await res.text(), '');
});

test('the caller\'s signal ends a request with the caller\'s own error, logged', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log, timeoutMs: 60_000 });
  const controller = new AbortController();
  const sent = http(`${base}/slow`, { signal: controller.signal });
  setTimeout(() => controller.abort(new DeskError('SIGN_IN_CANCELLED', 'cancelled')), 50);
  await assert.rejects(sent, { code: 'SIGN_IN_CANCELLED' });
  const aborted = new AbortController();
  aborted.abort(new DeskError('SIGN_IN_CANCELLED', 'cancelled'));
  await assert.rejects(http(`${base}/json`, { signal: aborted.signal }), { code: 'SIGN_IN_CANCELLED' });
  assert.deepEqual(log.entries().map((e) => e.errorCode), ['SIGN_IN_CANCELLED', 'SIGN_IN_CANCELLED']);
});

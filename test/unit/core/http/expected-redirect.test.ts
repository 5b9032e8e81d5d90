/**
 * The one request whose answer is a redirect (the authorization request of an Okta session-token sign-in):
 * asked for with `expectRedirect`, the 3xx comes back to the caller, still unfollowed and logged masked;
 * without it a redirect stays an error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';

let server: Server;
let base: string;
const hits: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push(path);
    if (path === '/authorize') {
      res.writeHead(302, { location: 'http://127.0.0.1/callback?code=CODE-IN-LOCATION-1234&state=STATE-IN-LOCATION-1234', 'set-cookie': 'sid=SESSION-COOKIE-1234' });
      res.end('Redirecting');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('followed');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test('with expectRedirect the 3xx is the answer: its Location readable, not followed, logged masked', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  hits.length = 0;
  const response = await http(`${base}/authorize?sessionToken=ST-1234567890`, { expectRedirect: true });
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), 'http://127.0.0.1/callback?code=CODE-IN-LOCATION-1234&state=STATE-IN-LOCATION-1234');
  assert.deepEqual(hits, ['/authorize'], 'nothing followed the Location');
  const [entry] = log.entries();
  assert.equal(entry?.status, 302);
  const logged = JSON.stringify(entry);
  for (const secret of ['CODE-IN-LOCATION-1234', 'STATE-IN-LOCATION-1234', 'SESSION-COOKIE-1234', 'ST-1234567890']) assert.ok(!logged.includes(secret), 'masked in the log');
});

test('without it a redirect is still refused', async () => {
  const http = createHttpClient();
  await assert.rejects(http(`${base}/authorize`), { code: 'HTTP_REDIRECT' });
});

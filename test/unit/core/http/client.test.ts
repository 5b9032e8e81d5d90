import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';
import { fingerprint, redactUrl } from '../../../../src-main/core/http/redact.ts';

let server: Server;
let base: string;
let hangingSockets = 0;

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/json') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=secret-cookie' });
        res.end(JSON.stringify({ access_token: 'AT-SECRET-123', token_type: 'Bearer', echo: body.length }));
      });
      return;
    }
    if (path === '/redirect') {
      res.writeHead(302, { location: '/json' });
      res.end();
      return;
    }
    if (path === '/redirect-with-code') {
      res.writeHead(302, { location: 'dev.oidcdesk:/callback?code=CODE-IN-LOCATION&state=STATE-IN-LOCATION&iss=x', 'content-location': '/x?access_token=AT-IN-CONTENT-LOCATION' });
      res.end();
      return;
    }
    if (path === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('x'.repeat(2048));
      return;
    }
    if (path === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 4; i++) res.write('y'.repeat(1024));
      res.end();
      return;
    }
    if (path === '/never') {
      hangingSockets += 1;
      return; // never answers
    }
    if (path === '/trickle') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      return; // headers then nothing, forever
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('returns the body and logs the exchange with secrets masked', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  const res = await http(`${base}/json?state=STATE-SECRET`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer AT-IN-HEADER' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'CODE-SECRET', code_verifier: 'VERIFIER-SECRET' }),
  });
  assert.equal(res.status, 200);
  const json = (await res.json()) as { access_token: string };
  assert.equal(json.access_token, 'AT-SECRET-123');
  const [entry] = log.entries();
  assert.ok(entry);
  const text = JSON.stringify(entry);
  for (const secret of ['AT-SECRET-123', 'STATE-SECRET', 'CODE-SECRET', 'VERIFIER-SECRET', 'AT-IN-HEADER', 'secret-cookie']) {
    assert.ok(!text.includes(secret), `log must not contain ${secret}`);
  }
  assert.ok(text.includes(fingerprint('CODE-SECRET')), 'a masked value keeps a fingerprint for correlation');
  assert.ok(text.includes('grant_type=authorization_code'), 'non-secret parameters stay readable');
  assert.equal(entry.status, 200);
});

test('never follows a redirect', async () => {
  const http = createHttpClient();
  await assert.rejects(http(`${base}/redirect`), { code: 'HTTP_REDIRECT' });
});

test('refuses a body over the cap, declared or streamed', async () => {
  const http = createHttpClient({ maxBodyBytes: 1024 });
  await assert.rejects(http(`${base}/big`), { code: 'HTTP_BODY_TOO_LARGE' });
  await assert.rejects(http(`${base}/big-chunked`), { code: 'HTTP_BODY_TOO_LARGE' });
});

test('aborts a server that never answers, and one that never finishes its body', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ timeoutMs: 200, log });
  await assert.rejects(http(`${base}/never`), { code: 'HTTP_TIMEOUT' });
  await assert.rejects(http(`${base}/trickle`), { code: 'HTTP_TIMEOUT' });
  assert.equal(hangingSockets, 1);
  assert.deepEqual(log.entries().map((e) => e.errorCode), ['HTTP_TIMEOUT', 'HTTP_TIMEOUT']);
});

test('connection refused is a network error', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const http = createHttpClient();
  await assert.rejects(http(`http://127.0.0.1:${port}/`), { code: 'HTTP_NETWORK' });
});

test('redactUrl masks secrets in query and fragment', () => {
  const out = redactUrl('dev.oidcdesk:/callback?code=C1&state=S1&iss=https%3A%2F%2Fidp#access_token=A1&token_type=Bearer');
  assert.ok(!out.includes('C1') && !out.includes('S1') && !out.includes('A1'));
  assert.ok(out.includes('iss=') && out.includes('token_type=Bearer'));
});

test('bodies are masked by their shape, whatever content type the server claims', async () => {
  const { redactBody } = await import('../../../../src-main/core/http/redact.ts');
  const json = JSON.stringify({ access_token: 'AT-LABELLED-AS-FORM', token_type: 'Bearer' });
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'text/html', null]) {
    const out = redactBody(json, type);
    assert.ok(!out.includes('AT-LABELLED-AS-FORM'), `${type}: ${out}`);
    assert.ok(out.includes('token_type'));
  }
  assert.ok(!redactBody('refresh_token=RT-IN-A-FORM&x=1', 'application/json').includes('RT-IN-A-FORM'));
  assert.equal(redactBody('opaque-secret-value', 'application/x-www-form-urlencoded'), '[19 bytes, application/x-www-form-urlencoded]');
  assert.ok(!redactBody('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln', 'text/plain').includes('eyJ'));
});

test('a redirect is logged with the secrets of its Location masked', async () => {
  const log = new ExchangeLog();
  const http = createHttpClient({ log });
  await assert.rejects(http(`${base}/redirect-with-code`), { code: 'HTTP_REDIRECT' });
  const text = JSON.stringify(log.entries());
  for (const secret of ['CODE-IN-LOCATION', 'STATE-IN-LOCATION', 'AT-IN-CONTENT-LOCATION']) assert.ok(!text.includes(secret), `log must not contain ${secret}`);
  assert.equal(log.entries()[0]?.responseHeaders?.['location'], `dev.oidcdesk:/callback?code=${fingerprint('CODE-IN-LOCATION')}&state=${fingerprint('STATE-IN-LOCATION')}&iss=x`);
  assert.equal(log.entries()[0]?.responseHeaders?.['content-location'], `/x?access_token=${fingerprint('AT-IN-CONTENT-LOCATION')}`, 'a relative reference stays readable');
});

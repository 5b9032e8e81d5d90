/**
 * The HAR 1.2 export of the exchange log: valid against the spec's required fields, built from the
 * masked exchanges only, failed exchanges as status 0 with their error code, attribution kept.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { fetchFor } from '../../../../src-main/core/http/exchange-context.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';
import { exchangesToHar } from '../../../../src-main/core/http/har.ts';
import { fingerprint } from '../../../../src-main/core/http/redact.ts';
import { assertHar12 } from './har-spec.ts';

let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    req.resume();
    if (path === '/token') {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=COOKIE-SECRET' });
      res.end(JSON.stringify({ access_token: 'AT-SECRET', refresh_token: 'RT-SECRET', token_type: 'Bearer' }));
      return;
    }
    if (path === '/never') return;
    res.writeHead(302, { location: 'dev.oidcdesk:/callback?code=CODE-IN-REDIRECT&state=STATE-IN-REDIRECT' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const SECRETS = ['AT-SECRET', 'RT-SECRET', 'COOKIE-SECRET', 'CODE-SECRET', 'VERIFIER-SECRET', 'STATE-SECRET', 'BEARER-SECRET', 'CODE-IN-REDIRECT', 'STATE-IN-REDIRECT'];

async function recorded(): Promise<ExchangeLog> {
  const log = new ExchangeLog();
  const http = createHttpClient({ log, timeoutMs: 300 });
  await fetchFor(http, { flowId: 'f-1' })(`${base}/token?state=STATE-SECRET`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer BEARER-SECRET' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'CODE-SECRET', code_verifier: 'VERIFIER-SECRET' }),
  });
  await assert.rejects(fetchFor(http, { sessionId: 's-1' })(`${base}/redirect`), { code: 'HTTP_REDIRECT' });
  await assert.rejects(http(`${base}/never`), { code: 'HTTP_TIMEOUT' });
  return log;
}

test('the export is a HAR 1.2 document with one entry per exchange, oldest first', async () => {
  const log = await recorded();
  const har = exchangesToHar(log.entries(), { version: '0.1.0' });
  assertHar12(JSON.parse(JSON.stringify(har)));
  assert.equal(har.log.version, '1.2');
  assert.deepEqual(har.log.creator, { name: 'OIDC Desk', version: '0.1.0' });
  assert.deepEqual(har.log.entries.map((e) => new URL(e.request.url).pathname), ['/token', '/redirect', '/never']);
});

test('a request and its response: masked text, sizes as sent and received, form parameters, attribution', async () => {
  const log = await recorded();
  const [token, redirect] = exchangesToHar(log.entries(), { version: '0.1.0' }).log.entries;
  assert.ok(token && redirect);
  assert.equal(token.request.method, 'POST');
  assert.deepEqual(token.request.queryString, [{ name: 'state', value: fingerprint('STATE-SECRET') }]);
  assert.equal(token.request.postData?.mimeType, 'application/x-www-form-urlencoded');
  assert.deepEqual(token.request.postData?.params, [
    { name: 'grant_type', value: 'authorization_code' },
    { name: 'code', value: fingerprint('CODE-SECRET') },
    { name: 'code_verifier', value: fingerprint('VERIFIER-SECRET') },
  ]);
  assert.equal(token.request.bodySize, Buffer.byteLength('grant_type=authorization_code&code=CODE-SECRET&code_verifier=VERIFIER-SECRET'));
  assert.equal(token.response.status, 200);
  assert.equal(token.response.statusText, 'OK');
  assert.equal(token.response.content.mimeType, 'application/json');
  assert.equal(token.response.content.size, Buffer.byteLength(JSON.stringify({ access_token: 'AT-SECRET', refresh_token: 'RT-SECRET', token_type: 'Bearer' })));
  assert.equal(JSON.parse(token.response.content.text).token_type, 'Bearer');
  assert.deepEqual(token._oidcDesk, { exchangeId: log.entries()[0]?.id, flowId: 'f-1' });
  assert.equal(redirect.response.status, 302);
  assert.equal(redirect.response.redirectURL, `dev.oidcdesk:/callback?code=${fingerprint('CODE-IN-REDIRECT')}&state=${fingerprint('STATE-IN-REDIRECT')}`);
  assert.deepEqual(redirect._oidcDesk, { exchangeId: log.entries()[1]?.id, sessionId: 's-1' });
  assert.equal(token.time, token.timings.wait);
});

test('a failed exchange is status 0 with its error code as comment', async () => {
  const log = await recorded();
  const failed = exchangesToHar(log.entries(), { version: '0.1.0' }).log.entries[2];
  assert.equal(failed?.response.status, 0);
  assert.equal(failed?.response.comment, 'HTTP_TIMEOUT');
  assert.equal(failed?.response.content.size, 0);
  assert.equal(failed?._oidcDesk.sessionId, undefined);
});

test('nothing in the document is a raw secret', async () => {
  const text = JSON.stringify(exchangesToHar((await recorded()).entries(), { version: '0.1.0' }));
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `the HAR must not contain ${secret}`);
  assert.ok(text.includes(fingerprint('RT-SECRET')), 'masked values keep their fingerprint');
});

test('the HAR check itself refuses documents that break the spec', async () => {
  const good = JSON.parse(JSON.stringify(exchangesToHar((await recorded()).entries(), { version: '0.1.0' }))) as { log: Record<string, unknown> & { entries: Record<string, unknown>[] } };
  assertHar12(good);
  const broken: [string, (doc: typeof good) => void][] = [
    ['no version', (d) => delete d.log['version']],
    ['no creator version', (d) => delete (d.log['creator'] as Record<string, unknown>)['version']],
    ['a request without cookies', (d) => delete (d.log.entries[0]!['request'] as Record<string, unknown>)['cookies']],
    ['a response without redirectURL', (d) => delete (d.log.entries[0]!['response'] as Record<string, unknown>)['redirectURL']],
    ['content without mimeType', (d) => delete (d.log.entries[0]!['response'] as Record<string, Record<string, unknown>>)['content']!['mimeType']],
    ['timings that do not add up', (d) => ((d.log.entries[0]!['timings'] as Record<string, number>)['send'] = 5)],
    ['a date that is not ISO 8601', (d) => (d.log.entries[0]!['startedDateTime'] = 'yesterday')],
    ['a custom field without "_"', (d) => (d.log.entries[0]!['oidcDesk'] = {})],
    ['no cache object', (d) => delete d.log.entries[0]!['cache']],
  ];
  for (const [name, breakIt] of broken) {
    const doc = structuredClone(good);
    breakIt(doc);
    assert.throws(() => assertHar12(doc), /HAR 1\.2/, name);
  }
});

/** The request checks of browser mode on their own: which Host names the server, which requests come from its own page, what counts as JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { fromOwnPage, isJson, ownHost } from '../../../src-main/web/request-checks.ts';

function req(headers: Record<string, string | string[]>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

test('Host: exactly 127.0.0.1:<port> or localhost:<port> (any case); the port left out only for port 80', () => {
  assert.equal(ownHost(req({ host: '127.0.0.1:8123' }), 8123), '127.0.0.1:8123');
  assert.equal(ownHost(req({ host: 'LOCALHOST:8123' }), 8123), 'localhost:8123');
  for (const host of ['127.0.0.1', 'localhost', '127.0.0.1:8124', '127.0.0.2:8123', '[::1]:8123', 'evil.example:8123', '127.0.0.1:8123.evil.example', '127.0.0.1:08123', ' 127.0.0.1:8123']) {
    assert.equal(ownHost(req({ host }), 8123), undefined, host);
  }
  assert.equal(ownHost(req({}), 8123), undefined, 'no Host');
  assert.equal(ownHost(req({ host: '127.0.0.1' }), 80), '127.0.0.1');
  assert.equal(ownHost(req({ host: 'localhost:80' }), 80), 'localhost:80');
});

test('a POST comes from the own page when its Origin is the own origin and Sec-Fetch-Site, if sent, is same-origin', () => {
  const host = '127.0.0.1:8123';
  assert.equal(fromOwnPage(req({ origin: 'http://127.0.0.1:8123', 'sec-fetch-site': 'same-origin' }), host, 'post'), true);
  assert.equal(fromOwnPage(req({ origin: 'http://127.0.0.1:8123' }), host, 'post'), true, 'a browser without fetch metadata');
  for (const headers of [
    {}, { 'sec-fetch-site': 'same-origin' }, { origin: 'null' }, { origin: 'http://localhost:8123' }, { origin: 'https://127.0.0.1:8123' },
    { origin: 'http://127.0.0.1:8124' }, { origin: 'http://127.0.0.1:8123', 'sec-fetch-site': 'same-site' },
    { origin: 'http://127.0.0.1:8123', 'sec-fetch-site': 'cross-site' }, { origin: 'http://127.0.0.1:8123', 'sec-fetch-site': 'none' },
    { origin: ['http://127.0.0.1:8123', 'http://127.0.0.1:8123'] },
  ]) {
    assert.equal(fromOwnPage(req(headers), host, 'post'), false, JSON.stringify(headers));
  }
});

test('the event stream comes from the own page with Sec-Fetch-Site: same-origin (a same-origin GET has no Origin) or the own Origin', () => {
  const host = 'localhost:8123';
  assert.equal(fromOwnPage(req({ 'sec-fetch-site': 'same-origin' }), host, 'event-stream'), true);
  assert.equal(fromOwnPage(req({ origin: 'http://localhost:8123' }), host, 'event-stream'), true);
  for (const headers of [{}, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'none' }, { 'sec-fetch-site': 'same-origin', origin: 'http://127.0.0.1:8123' }]) {
    assert.equal(fromOwnPage(req(headers), host, 'event-stream'), false, JSON.stringify(headers));
  }
});

test('JSON is application/json, with or without parameters; what a form can send is not', () => {
  assert.equal(isJson(req({ 'content-type': 'application/json' })), true);
  assert.equal(isJson(req({ 'content-type': 'Application/JSON; charset=utf-8' })), true);
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json', 'text/plain; application/json']) {
    assert.equal(isJson(req({ 'content-type': type })), false, type);
  }
  assert.equal(isJson(req({})), false);
});

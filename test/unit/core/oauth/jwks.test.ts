import { test, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import { isDeskError, type ErrorCode } from '../../../../src-main/core/errors.ts';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { fetchFor } from '../../../../src-main/core/http/exchange-context.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';
import { JwksCache } from '../../../../src-main/core/oauth/jwks.ts';
import { JwksServer, jwksOf, makeKey, type TestKey } from './jwt-fixtures.ts';

let server: JwksServer;
let k1: TestKey;
let k2: TestKey;
let e1: TestKey;

before(async () => {
  server = await new JwksServer().start();
  k1 = await makeKey('k1');
  k2 = await makeKey('k2');
  e1 = await makeKey('e1', 'ES256');
});

after(() => server.stop());

function rejectsWith(code: ErrorCode): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isDeskError(error), `expected a DeskError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

test('fetches the JWKS once through the given fetch and keeps it in memory', async () => {
  server.serve(jwksOf(k1, e1));
  server.hits = 0;
  const cache = server.cache();
  assert.equal(cache.loaded, false);
  const a = await cache.resolve({ alg: 'RS256', kid: 'k1' });
  const b = await cache.resolve({ alg: 'ES256', kid: 'e1' });
  assert.equal(a.keys.length, 1);
  assert.equal(a.refetched, false);
  assert.equal(b.keys.length, 1);
  assert.equal(cache.fetchCount, 1);
  assert.equal(server.hits, 1);
  assert.equal(cache.loaded, true);
});

test('the fetch is the injected one (never jose\'s remote fetcher)', async () => {
  const urls: string[] = [];
  const cache = new JwksCache({
    jwksUri: 'https://idp.example.test/jwks',
    fetch: async (input) => {
      urls.push(input.toString());
      return new Response(JSON.stringify(jwksOf(k1)), { status: 200 });
    },
  });
  await cache.resolve({ alg: 'RS256', kid: 'k1' });
  assert.deepEqual(urls, ['https://idp.example.test/jwks']);
});

test('unknown kid after key rotation: exactly one refetch, then the new key is found', async () => {
  server.serve(jwksOf(k1));
  const cache = server.cache();
  await cache.resolve({ alg: 'RS256', kid: 'k1' });
  assert.equal(cache.fetchCount, 1);
  server.serve(jwksOf(k2)); // the provider rotates
  const match = await cache.resolve({ alg: 'RS256', kid: 'k2' });
  assert.equal(match.refetched, true);
  assert.equal(match.keys.length, 1);
  assert.equal(cache.fetchCount, 2);
  // Now cached: no further fetch.
  await cache.resolve({ alg: 'RS256', kid: 'k2' });
  assert.equal(cache.fetchCount, 2);
});

test('a kid in neither the cached nor the refetched set: ID_TOKEN_KEY_NOT_FOUND after exactly one refetch', async () => {
  server.serve(jwksOf(k1));
  const cache = server.cache();
  await cache.resolve({ alg: 'RS256', kid: 'k1' });
  await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'nowhere' }), rejectsWith('ID_TOKEN_KEY_NOT_FOUND'));
  assert.equal(cache.fetchCount, 2);
});

test('first use with an unknown kid fetches once only (a set fetched during the call is already current)', async () => {
  server.serve(jwksOf(k1));
  const cache = server.cache();
  await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'nowhere' }), rejectsWith('ID_TOKEN_KEY_NOT_FOUND'));
  assert.equal(cache.fetchCount, 1);
});

test('a kid whose key has another alg is no match', async () => {
  server.serve(jwksOf(k1));
  const cache = server.cache();
  await assert.rejects(cache.resolve({ alg: 'ES256', kid: 'k1' }), rejectsWith('ID_TOKEN_KEY_NOT_FOUND'));
});

test('concurrent lookups of an unknown kid share one refetch (single-flight)', async () => {
  server.serve(jwksOf(k1));
  const cache = server.cache();
  // Cold start: ten concurrent lookups, one fetch.
  await Promise.all(Array.from({ length: 10 }, () => cache.resolve({ alg: 'RS256', kid: 'k1' })));
  assert.equal(cache.fetchCount, 1);
  server.serve(jwksOf(k1, k2));
  const results = await Promise.all(Array.from({ length: 10 }, () => cache.resolve({ alg: 'RS256', kid: 'k2' })));
  assert.equal(cache.fetchCount, 2);
  assert.ok(results.every((r) => r.keys.length === 1 && r.refetched));
});

test('without a kid, every key matching the alg is a candidate', async () => {
  server.serve(jwksOf(k1, k2, e1));
  const cache = server.cache();
  const match = await cache.resolve({ alg: 'RS256' });
  assert.equal(match.keys.length, 2);
});

test('a symmetric alg is never looked up', async () => {
  server.serve({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h1', alg: 'HS256' }] });
  const cache = server.cache();
  await assert.rejects(cache.resolve({ alg: 'HS256', kid: 'h1' }), rejectsWith('ID_TOKEN_ALG_NOT_ALLOWED'));
});

for (const [name, body] of [
  ['not JSON', '<html>oops</html>'],
  ['a JSON array', '[]'],
  ['an object without keys', '{}'],
  ['keys not an array', '{"keys":"k1"}'],
  ['keys holding a non-object', '{"keys":[1]}'],
  ['keys holding null', '{"keys":[null]}'],
  ['JSON null', 'null'],
] as const) {
  test(`malformed JWKS response (${name}) -> DISCOVERY_FAILED`, async () => {
    server.serve(body);
    const cache = server.cache();
    await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'k1' }), (error: unknown) => {
      assert.ok(isDeskError(error, 'DISCOVERY_FAILED'));
      assert.match(error.message, /JWKS/);
      return true;
    });
    assert.equal(cache.loaded, false);
  });
}

test('JWKS HTTP error status -> DISCOVERY_FAILED with the status', async () => {
  server.serve('{"error":"server_error"}', 503);
  const cache = server.cache();
  await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'k1' }), (error: unknown) => {
    assert.ok(isDeskError(error, 'DISCOVERY_FAILED'));
    assert.equal(error.status, 503);
    return true;
  });
});

test('JWKS body larger than the client cap -> HTTP_BODY_TOO_LARGE', async () => {
  const padding = 'x'.repeat(1024 * 1024 + 10);
  server.respondWith((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"keys":[],"pad":"${padding}"}`);
  });
  const cache = server.cache();
  await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'k1' }), rejectsWith('HTTP_BODY_TOO_LARGE'));
});

test('JWKS endpoint redirect is not followed -> HTTP_REDIRECT', async () => {
  server.respondWith((_req, res) => {
    res.writeHead(302, { location: 'https://elsewhere.example/jwks' });
    res.end();
  });
  const cache = server.cache();
  await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'k1' }), rejectsWith('HTTP_REDIRECT'));
});

test('a failed refetch keeps the cached set; the next lookup can fetch again', async () => {
  server.serve(jwksOf(k1));
  const cache = server.cache();
  await cache.resolve({ alg: 'RS256', kid: 'k1' });
  server.serve('nope', 500);
  await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'k2' }), rejectsWith('DISCOVERY_FAILED'));
  assert.equal(cache.fetchCount, 2);
  // The old key is still usable without a fetch.
  await cache.resolve({ alg: 'RS256', kid: 'k1' });
  assert.equal(cache.fetchCount, 2);
  server.serve(jwksOf(k1, k2));
  const match = await cache.resolve({ alg: 'RS256', kid: 'k2' });
  assert.equal(match.refetched, true);
  assert.equal(cache.fetchCount, 3);
});

test('refresh() coalesces with a lookup in flight', async () => {
  server.serve(jwksOf(k1));
  const cache = server.cache();
  await Promise.all([cache.refresh(), cache.refresh(), cache.resolve({ alg: 'RS256', kid: 'k1' })]);
  assert.equal(cache.fetchCount, 1);
});

test('the set has a lifetime: an expired set is fetched again before use (not counted as a rotation refetch)', async () => {
  server.serve(jwksOf(k1));
  const cache = new JwksCache({ jwksUri: server.url, fetch: createHttpClient({ timeoutMs: 5000 }), maxAgeMs: 0 });
  const first = await cache.resolve({ alg: 'RS256', kid: 'k1' });
  const second = await cache.resolve({ alg: 'RS256', kid: 'k1' });
  assert.equal(cache.fetchCount, 2, 'a set older than its lifetime is not used');
  assert.equal(first.refetched, false);
  assert.equal(second.refetched, false);
  // An expired set fetched during the call is current: an unknown kid is not fetched a second time.
  await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'nowhere' }), rejectsWith('ID_TOKEN_KEY_NOT_FOUND'));
  assert.equal(cache.fetchCount, 3);
});

test('the JWKS request goes through the core fetch and is logged like any exchange', async () => {
  server.serve(jwksOf(k1));
  const log = new ExchangeLog();
  const cache = new JwksCache({ jwksUri: server.url, fetch: createHttpClient({ timeoutMs: 5000, log }) });
  await cache.resolve({ alg: 'RS256', kid: 'k1' });
  const [entry] = log.entries();
  assert.equal(entry?.url, server.url);
  assert.equal(entry?.method, 'GET');
  assert.equal(entry?.status, 200);
});

/** Longer than jose's default cooldown (30 s), shorter than the set's lifetime. */
const LONG_AFTER_MS = 31_000;

test('long after a fetch (past jose\'s default cooldown), an unknown kid: still exactly one refetch', async () => {
  // jose reads Date.now(); only the clock is mocked, the HTTP exchange is real.
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  try {
    server.serve(jwksOf(k1));
    const cache = server.cache();
    await cache.resolve({ alg: 'RS256', kid: 'k1' });
    mock.timers.tick(LONG_AFTER_MS);
    server.serve(jwksOf(k1, k2));
    const match = await cache.resolve({ alg: 'RS256', kid: 'k2' });
    assert.equal(match.refetched, true);
    assert.equal(cache.fetchCount, 2);
    mock.timers.tick(LONG_AFTER_MS);
    await assert.rejects(cache.resolve({ alg: 'RS256', kid: 'nowhere' }), rejectsWith('ID_TOKEN_KEY_NOT_FOUND'));
    assert.equal(cache.fetchCount, 3);
  } finally {
    mock.timers.reset();
  }
});

test('one cache shared by several operations: each fetch is logged for the lookup that started it', async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  try {
    server.serve(jwksOf(k1));
    const log = new ExchangeLog();
    const http = createHttpClient({ timeoutMs: 5000, log });
    const cache = new JwksCache({ jwksUri: server.url, fetch: http });
    const signIn = cache.for(fetchFor(http, { flowId: 'f-1' }));
    const session = cache.for(fetchFor(http, { sessionId: 's-1' }));
    assert.equal(session.jwksUri, cache.jwksUri);
    await signIn.resolve({ alg: 'RS256', kid: 'k1' });
    await session.resolve({ alg: 'RS256', kid: 'k1' });
    server.serve(jwksOf(k1, k2));
    assert.equal((await session.resolve({ alg: 'RS256', kid: 'k2' })).refetched, true, 'the rotation refetch');
    mock.timers.tick(LONG_AFTER_MS);
    server.serve(jwksOf(k1, k2, e1));
    assert.equal((await session.resolve({ alg: 'ES256', kid: 'e1' })).refetched, true, 'long after the last fetch');
    await signIn.refresh();
    await cache.resolve({ alg: 'RS256', kid: 'k1' });
    assert.deepEqual(log.entries().map((e) => e.context), [{ flowId: 'f-1' }, { sessionId: 's-1' }, { sessionId: 's-1' }, { flowId: 'f-1' }]);
    assert.equal(cache.fetchCount, 4, 'one set for all: the session\'s first lookup used the sign-in\'s fetch');
  } finally {
    mock.timers.reset();
  }
});

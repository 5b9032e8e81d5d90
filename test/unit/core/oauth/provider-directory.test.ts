/**
 * The discovery cache: entries live for a bounded time (injected clock), so a long-running app picks up
 * a provider's new metadata; concurrent lookups share one discovery; a failed discovery is not kept.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { ExchangeLog } from '../../../../src-main/core/http/exchange-log.ts';
import { DISCOVERY_TTL_MS, ProviderDirectory } from '../../../../src-main/core/oauth/provider-context.ts';
import { startHostileIdp, type HostileIdp } from '../../../harness/hostile-idp.ts';

let idp: HostileIdp;
const metadata: Record<string, unknown> = {};
let wrongIssuer = false;

before(async () => {
  idp = await startHostileIdp({ metadata, metadataIssuer: (issuer) => (wrongIssuer ? `${issuer}/other` : issuer) });
});

after(() => idp.stop());

const WELL_KNOWN = '/.well-known/openid-configuration';

function discoveries(): number {
  return idp.counts[WELL_KNOWN] ?? 0;
}

function input(clientId = 'oidc-desk'): { issuer: string; clientId: string; allowHttpLoopback: boolean } {
  return { issuer: idp.issuer, clientId, allowHttpLoopback: true };
}

test('discovery is cached for its lifetime, then done again: new metadata is picked up', async () => {
  let now = 1_000_000;
  const directory = new ProviderDirectory(createHttpClient(), { now: () => now });
  delete metadata['revocation_endpoint'];
  const before = discoveries();
  const first = await directory.get(input());
  assert.equal(first.metadata.revocation_endpoint, undefined);
  assert.equal(discoveries(), before + 1);

  metadata['revocation_endpoint'] = `${idp.issuer}/revoke`;
  now += DISCOVERY_TTL_MS - 1;
  assert.equal(await directory.get(input()), first, 'still fresh: the same context, no request');
  assert.equal(discoveries(), before + 1);

  now += 1;
  const second = await directory.get(input());
  assert.notEqual(second, first);
  assert.equal(second.metadata.revocation_endpoint, `${idp.issuer}/revoke`, 'the provider\'s new metadata is used');
  assert.equal(discoveries(), before + 2);
  delete metadata['revocation_endpoint'];
});

test('the lifetime can be set; concurrent lookups share one discovery', async () => {
  let now = 0;
  const directory = new ProviderDirectory(createHttpClient(), { now: () => now, ttlMs: 1000 });
  const before = discoveries();
  const contexts = await Promise.all(Array.from({ length: 5 }, () => directory.get(input())));
  assert.ok(contexts.every((c) => c === contexts[0]));
  assert.equal(discoveries(), before + 1);
  now = 1000;
  await Promise.all(Array.from({ length: 5 }, () => directory.get(input())));
  assert.equal(discoveries(), before + 2);
});

test('a failed discovery is not cached: the next lookup asks again', async () => {
  const now = 0;
  const directory = new ProviderDirectory(createHttpClient(), { now: () => now });
  wrongIssuer = true;
  try {
    await assert.rejects(directory.get(input()), { code: 'DISCOVERY_ISSUER_MISMATCH' });
  } finally {
    wrongIssuer = false;
  }
  const before = discoveries();
  const ctx = await directory.get(input());
  assert.equal(ctx.issuer, idp.issuer);
  assert.equal(discoveries(), before + 1);
});

test('fresh: true discovers again at once (a provider check wants the current metadata)', async () => {
  const directory = new ProviderDirectory(createHttpClient(), { now: () => 0 });
  const first = await directory.get(input());
  const before = discoveries();
  const again = await directory.get(input(), { fresh: true });
  assert.notEqual(again, first);
  assert.equal(discoveries(), before + 1);
  assert.equal(await directory.get(input()), again, 'the fresh result replaces the cached one');
});

test('a context per operation: discovery is the caller\'s that started it; within() rebinds, never nests', async () => {
  const log = new ExchangeLog();
  const directory = new ProviderDirectory(createHttpClient({ log }), { now: () => 0 });
  const [signIn, session, bare] = await Promise.all([
    directory.get(input(), { context: { flowId: 'f-1' } }),
    directory.get(input(), { context: { sessionId: 's-1' } }),
    directory.get(input()),
  ]);
  assert.deepEqual(log.entries().map((e) => [new URL(e.url).pathname, e.context]), [[WELL_KNOWN, { flowId: 'f-1' }]], 'one discovery, the first caller\'s');
  assert.equal(signIn.metadata, bare.metadata);
  assert.equal(bare.within(undefined), bare, 'the shared context is the one without a tag');
  const other = signIn.within({ sessionId: 's-2' });
  assert.equal(other.within(undefined), bare);
  log.clear();
  const url = `${idp.issuer}${WELL_KNOWN}`;
  for (const ctx of [signIn, session, bare, other]) await ctx.requestOptions[oauth.customFetch](url);
  assert.deepEqual(log.entries().map((e) => e.context), [{ flowId: 'f-1' }, { sessionId: 's-1' }, undefined, { sessionId: 's-2' }]);
});

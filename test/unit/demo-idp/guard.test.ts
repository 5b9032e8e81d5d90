/**
 * The demo provider's guard: which targets are the demo provider's (its demo keys and recorded issuers are
 * the anchor, never a profile name), and what its `beforeSend` hook and transport let through: a request to
 * a former issuer is refused before any connection, a proven demo provider is used, and once `beforeSend`
 * refused an issuer nothing more goes there from that process (the core may send a second token of one
 * operation without asking again).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FetchLike } from '../../../src-main/core/http/client.ts';
import { createDemoGuard, demoTargetOf } from '../../../src-main/demo-idp/guard.ts';
import { ensurePrivateDir } from '../../../src-main/core/store/data-dir.ts';
import { demoPaths, loadOrCreateDemoJwks, startPersistentDemoProvider, type PersistentDemoProvider } from '../../../src-main/demo-idp/persistent.ts';
import { countConnections } from '../../harness/connection-counter.ts';
import { freePort } from '../../harness/ports.ts';

const servers: Server[] = [];
const providers: PersistentDemoProvider[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  for (const p of providers) await p.close();
});

async function dataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oidc-desk-demo-guard-'));
}

/** The demo provider's keys in a data directory, as its first start makes them. */
async function withDemoKeys(dir: string): Promise<void> {
  await ensurePrivateDir(demoPaths(dir).dir);
  await loadOrCreateDemoJwks(dir);
}

/** A data directory whose demo provider ran: keys, and state.json naming `issuer` and `previous`. */
async function demoRan(issuer: string, previous: readonly string[] = []): Promise<string> {
  const dir = await dataDir();
  await withDemoKeys(dir);
  const port = Number(new URL(issuer).port);
  await writeFile(demoPaths(dir).state, JSON.stringify({ schemaVersion: 1, issuer, port, pid: null, startedAt: 1, previousIssuers: previous }), { mode: 0o600 });
  return dir;
}

/** A local HTTP server that records every path and answers 200 `{}`. */
async function recorder(): Promise<{ origin: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

test('the rule: recorded and former issuers of a data directory with demo keys; without state.json, the demo client only; names decide nothing', async () => {
  const current = 'http://127.0.0.1:41001';
  const former = 'http://127.0.0.1:41002';
  const dir = await demoRan(current, [former]);
  assert.equal((await demoTargetOf(dir, { issuer: current, clientId: 'oidc-desk' }))?.kind, 'current');
  assert.equal((await demoTargetOf(dir, { issuer: current }))?.kind, 'current', 'the transport, which knows no client');
  assert.equal((await demoTargetOf(dir, { issuer: former, clientId: 'oidc-desk' }))?.kind, 'former');
  assert.equal((await demoTargetOf(dir, { issuer: former }))?.kind, 'former');
  assert.equal(await demoTargetOf(dir, { issuer: 'http://127.0.0.1:41003', clientId: 'oidc-desk' }), undefined, 'a local provider of the user\'s own');
  assert.equal(await demoTargetOf(dir, { issuer: 'https://idp.example', clientId: 'oidc-desk' }), undefined);

  const noState = await dataDir();
  await withDemoKeys(noState);
  assert.equal((await demoTargetOf(noState, { issuer: current, clientId: 'oidc-desk' }))?.kind, 'unrecorded', 'state.json lost: the demo client must be proven');
  assert.equal(await demoTargetOf(noState, { issuer: current, clientId: '0oa-other' }), undefined);
  assert.equal(await demoTargetOf(noState, { issuer: current }), undefined, 'the transport lets it through to beforeSend');

  const neverRan = await dataDir();
  assert.equal(await demoTargetOf(neverRan, { issuer: current, clientId: 'oidc-desk' }), undefined, 'no demo keys: no demo provider ever ran here');
});

test('a request to a former issuer is refused before any connection; other local providers are reached as usual', async () => {
  const formerPort = await freePort();
  const former = `http://127.0.0.1:${formerPort}`;
  const dir = await demoRan('http://127.0.0.1:41011', [former]);
  const held = await countConnections(formerPort);
  const other = await recorder();
  const guard = createDemoGuard({ dataDir: dir });
  try {
    await assert.rejects(guard.fetch(`${former}/.well-known/openid-configuration`), { code: 'SIGN_IN_NEEDED' });
    await assert.rejects(guard.beforeSend({ issuer: former, clientId: 'oidc-desk' }), { code: 'SIGN_IN_NEEDED' });
    assert.equal(held.count(), 0, 'nothing reached the former issuer');
    await guard.beforeSend({ issuer: other.origin, clientId: 'oidc-desk' });
    const res = await guard.fetch(`${other.origin}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.deepEqual(other.paths, ['/.well-known/openid-configuration'], 'asked nothing else, no proof');
  } finally {
    await held.close();
  }
});

test('the data directory\'s own demo provider is proven and used; a refused issuer gets nothing more from the transport', async () => {
  const dir = await dataDir();
  const provider = await startPersistentDemoProvider({ dataDir: dir, port: 0 });
  providers.push(provider);
  const seen: string[] = [];
  const transport: FetchLike = (input, init) => {
    seen.push(new URL(input).pathname);
    return fetch(input, init as RequestInit);
  };
  const guard = createDemoGuard({ dataDir: dir, transport });
  await guard.beforeSend({ issuer: provider.issuer, clientId: 'oidc-desk' });
  assert.equal((await guard.fetch(`${provider.issuer}/.well-known/openid-configuration`)).status, 200);
  assert.deepEqual(seen, ['/.well-known/openid-configuration'], 'the proof does not go through the guarded transport');

  // state.json lost, and another program (here: one that answers everything) on the demo client's issuer.
  const lost = await dataDir();
  await withDemoKeys(lost);
  const impostor = await recorder();
  const lostGuard = createDemoGuard({ dataDir: lost });
  await assert.rejects(lostGuard.beforeSend({ issuer: impostor.origin, clientId: 'oidc-desk' }), { code: 'SIGN_IN_NEEDED' });
  await assert.rejects(lostGuard.fetch(`${impostor.origin}/token/revocation`, { method: 'POST', body: 'token=x' }), { code: 'SIGN_IN_NEEDED' });
  assert.deepEqual(impostor.paths, ['/.well-known/oidc-desk-proof', '/.well-known/oidc-desk-proof'], 'only asked to prove who it is, twice');
});

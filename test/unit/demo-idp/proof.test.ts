/**
 * The demo provider proves who it is: it signs a fresh nonce with the private key of `<dataDir>/demo-idp/
 * jwks.json`, bound to its issuer, and the check verifies that with the public key derived from the same
 * file. Everything it publishes (discovery, JWKS, kids and public keys), a proof captured earlier, or a
 * relay to the real demo provider elsewhere passes nothing; a real demo provider of this data directory does.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOwnDemoProvider, startPersistentDemoProvider, type PersistentDemoProvider } from '../../../src-main/demo-idp/persistent.ts';

const PROOF = '/.well-known/oidc-desk-proof';
const servers: Server[] = [];
const providers: PersistentDemoProvider[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  for (const p of providers) await p.close();
});

async function started(): Promise<{ dataDir: string; provider: PersistentDemoProvider }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-demo-proof-'));
  const provider = await startPersistentDemoProvider({ dataDir, port: 0 });
  providers.push(provider);
  return { dataDir, provider };
}

/** A local HTTP server on `port` (0 = any) answering with `handle`; resolves with its origin. */
async function serve(port: number, handle: (path: string, search: string) => Promise<{ type: string; body: string } | undefined>): Promise<{ origin: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    paths.push(url.pathname);
    void handle(url.pathname, url.search).then((answer) => {
      if (answer === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': answer.type }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  servers.push(server);
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

async function text(url: string): Promise<{ type: string; body: string }> {
  const res = await fetch(url);
  return { type: res.headers.get('content-type') ?? 'application/octet-stream', body: await res.text() };
}

test('the demo provider of this data directory proves who it is; another data directory\'s does not pass', async () => {
  const own = await started();
  assert.equal(await isOwnDemoProvider(own.dataDir, own.provider.issuer), true);
  const other = await started();
  assert.equal(await isOwnDemoProvider(own.dataDir, other.provider.issuer), false, 'other keys');
  assert.equal(await isOwnDemoProvider(other.dataDir, own.provider.issuer), false);
});

test('the proof route signs only a nonce of the expected form, with no caching', async () => {
  const { provider } = await started();
  for (const nonce of ['', 'short', 'x'.repeat(44), `${'a'.repeat(42)}!`]) {
    const res = await fetch(`${provider.issuer}${PROOF}?nonce=${encodeURIComponent(nonce)}`);
    assert.equal(res.status, 400, `nonce ${JSON.stringify(nonce)}`);
  }
  const res = await fetch(`${provider.issuer}${PROOF}?nonce=${'a'.repeat(43)}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control') ?? '', /no-store/);
  assert.match(await res.text(), /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact JWS');
});

test('a program republishing the demo provider\'s discovery document and JWKS under its own address does not pass', async () => {
  const { dataDir, provider } = await started();
  const discovery = await text(`${provider.issuer}/.well-known/openid-configuration`);
  const jwksUri = String((JSON.parse(discovery.body) as Record<string, unknown>)['jwks_uri']);
  const jwks = await text(jwksUri);
  const copy = await serve(0, async (path) => {
    if (path === '/.well-known/openid-configuration') return { type: 'application/json', body: discovery.body.replaceAll(provider.issuer, copy.origin) };
    if (path === new URL(jwksUri).pathname) return jwks;
    return undefined;
  });
  assert.equal(await isOwnDemoProvider(dataDir, copy.origin), false);
});

test('a relay to the real demo provider elsewhere does not pass: the proof names the issuer it was made for', async () => {
  const { dataDir, provider } = await started();
  const relay = await serve(0, async (path, search) => {
    const answer = await text(`${provider.issuer}${path}${search}`);
    // JSON documents are rewritten to name the relay; a signed proof cannot be.
    return answer.type.includes('json') ? { ...answer, body: answer.body.replaceAll(provider.issuer, relay.origin) } : answer;
  });
  assert.equal(await isOwnDemoProvider(dataDir, relay.origin), false);
  assert.ok(relay.paths.includes(PROOF), 'it was asked for a proof');
});

test('a proof captured earlier, replayed on the demo provider\'s own port with its discovery and JWKS, does not pass', async () => {
  const { dataDir, provider } = await started();
  const captured = await text(`${provider.issuer}${PROOF}?nonce=${'b'.repeat(43)}`);
  const discovery = await text(`${provider.issuer}/.well-known/openid-configuration`);
  const jwksUri = String((JSON.parse(discovery.body) as Record<string, unknown>)['jwks_uri']);
  const jwks = await text(jwksUri);
  await provider.close();
  const replay = await serve(provider.port, async (path) => {
    if (path === '/.well-known/openid-configuration') return discovery;
    if (path === new URL(jwksUri).pathname) return jwks;
    if (path === PROOF) return captured;
    return undefined;
  });
  assert.equal(replay.origin, provider.issuer);
  assert.equal(await isOwnDemoProvider(dataDir, provider.issuer), false);
  assert.ok(replay.paths.includes(PROOF), 'it was asked for a proof');
});

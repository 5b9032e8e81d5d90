import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { createHttpClient } from '../../src-main/core/http/client.ts';

// The core fetch's own transport (src-main/core/http/transport.ts, node:http and node:https) against real
// servers: what the platform's fetch used to do for the core must still hold (content codings, repeated
// headers, a cut connection, certificates checked), and a body that only grows when decoded stays capped.

const execFileAsync = promisify(execFile);
const TOKEN_JSON = JSON.stringify({ access_token: 'AT-TRANSPORT', token_type: 'Bearer', expires_in: 300 });
let server: Server;
let base: string;

function answer(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/gzip') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(TOKEN_JSON));
  } else if (path === '/br') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
    res.end(brotliCompressSync(TOKEN_JSON));
  } else if (path === '/gzip-bomb') {
    // 64 KiB on the wire at most, 2 MiB once decoded.
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20)));
  } else if (path === '/cookies') {
    res.writeHead(200, [['content-type', 'application/json'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
    res.end(JSON.stringify({ userAgent: req.headers['user-agent'], accept: req.headers['accept'] }));
  } else if (path === '/cut') {
    // Promises 1000 bytes, sends 10, then drops the connection.
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"partial"', () => res.socket?.destroy());
  } else {
    res.writeHead(404);
    res.end();
  }
}

before(async () => {
  server = createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('a body in gzip or br comes back decoded', async () => {
  const http = createHttpClient();
  for (const path of ['/gzip', '/br']) {
    const res = await http(`${base}${path}`);
    assert.deepEqual(await res.json(), JSON.parse(TOKEN_JSON), path);
  }
});

test('a body over the cap once decoded is refused, however small on the wire', async () => {
  const http = createHttpClient({ maxBodyBytes: 64 * 1024 });
  await assert.rejects(http(`${base}/gzip-bomb`), { code: 'HTTP_BODY_TOO_LARGE' });
});

test('repeated response headers are all kept, and the request says who sends it', async () => {
  const res = await createHttpClient()(`${base}/cookies`);
  assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.deepEqual(await res.json(), { userAgent: 'oidc-desk', accept: '*/*' });
});

test('a connection cut in the middle of the body is a network error', async () => {
  await assert.rejects(createHttpClient({ timeoutMs: 5000 })(`${base}/cut`), { code: 'HTTP_NETWORK' });
});

test('a URL that is not http or https is refused before anything is sent', async () => {
  await assert.rejects(createHttpClient()('file:///etc/passwd'), { code: 'HTTP_NETWORK' });
});

test('https: a certificate nobody vouches for is refused, one from a trusted authority is used', async (t) => {
  const openssl = spawnSync('openssl', ['version']);
  if (openssl.status !== 0) {
    t.skip('needs the openssl command to make a test certificate (Debian: apt-get install openssl)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'oidc-desk-tls-'));
  let tls: HttpsServer | undefined;
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(TOKEN_JSON);
      });
    });
    await new Promise<void>((r) => tls?.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/token`;

    await assert.rejects(createHttpClient({ timeoutMs: 5000 })(url, { method: 'POST', body: 'x=1' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'HTTP_NETWORK');
      assert.match(error.message, /certificate/i);
      return true;
    });

    // Node reads NODE_EXTRA_CA_CERTS only at start: a process of its own trusts the test's certificate.
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', new URL('../harness/https-child.ts', import.meta.url).pathname, url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      timeout: 30_000,
    });
    assert.deepEqual(JSON.parse(stdout), { status: 200, body: TOKEN_JSON });
  } finally {
    tls?.closeAllConnections();
    tls?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The demo provider keeps one issuer (SECURITY.md, "demo provider | its recorded port is taken by another
 * program | no token is sent to that port"): after a demo sign-in, the demo provider is stopped and another
 * program takes its port, answering like a provider would. `token`, `refresh`, `userinfo`, `inspect` and
 * `logout` on the demo session fail or stay local with a clear message, and that program receives no
 * request carrying a token; `demo-idp --port` moves the demo provider to a new issuer, and the old demo
 * session then needs a new sign-in.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { readDemoState, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { Cli, KEYRING, NO_KEYRING, assertFailed, endCliRuns } from '../harness/cli-runner.ts';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** Another program on the demo provider's port: it answers discovery and JWKS like a provider (with keys of its own) and records every request. */
async function impostor(port: number): Promise<{ received: Received[]; stop(): Promise<void> }> {
  const { publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' };
  const key = { ...jwk, kid: await calculateJwkThumbprint(jwk) };
  const issuer = `http://127.0.0.1:${port}`;
  const received: Received[] = [];
  const readBody = async (req: IncomingMessage): Promise<string> => {
    let body = '';
    for await (const chunk of req) body += (chunk as Buffer).toString();
    return body;
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = new URL(req.url ?? '/', issuer).pathname;
      received.push({ method: req.method ?? '?', path, authorization: req.headers.authorization, body });
      const json = (value: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (path === '/.well-known/openid-configuration') {
        return json({
          issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
          userinfo_endpoint: `${issuer}/me`, revocation_endpoint: `${issuer}/token/revocation`, introspection_endpoint: `${issuer}/token/introspection`,
          response_types_supported: ['code'], id_token_signing_alg_values_supported: ['RS256'], code_challenge_methods_supported: ['S256'],
        });
      }
      if (path === '/jwks') return json({ keys: [key] });
      // Anything else: it would happily take a token.
      return json({ access_token: 'impostor-access-token', token_type: 'Bearer', expires_in: 300 });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const demoDirs: string[] = [];
after(async () => {
  for (const dir of demoDirs) await stopDemoProvider({ dataDir: dir }).catch(() => undefined);
  endCliRuns();
});

test('the demo provider\'s port taken by another program: no command sends it a token; --port moves the issuer', { skip: KEYRING ? false : NO_KEYRING, timeout: 300_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  const id = await cli.login('demo');
  const refreshToken = await cli.storedRefreshToken(id);
  const state = await readDemoState(cli.dataDir);
  assert.ok(state?.pid, 'the demo provider runs');
  assert.equal(await stopDemoProvider({ dataDir: cli.dataDir }), true);

  const other = await impostor(state.port);
  try {
    const carriesToken = (r: Received): boolean => r.method !== 'GET' || r.authorization !== undefined || r.body !== '' || r.body.includes(refreshToken);
    for (const args of [['token', id], ['refresh', id], ['userinfo', id], ['inspect', id], ['token', id, '--type', 'id']]) {
      const r = await cli.run(args);
      assertFailed(r, 4, 'DEMO_PORT_TAKEN');
      assert.ok(r.stderr.includes(`${state.port}`), `names the port:\n${r.stderr}`);
      assert.match(r.stderr, /another program/);
      assert.match(r.stderr, /demo-idp --port/, 'says how to move the demo provider');
      assert.doesNotMatch(r.stderr, /Starting the demo provider/, 'no demo provider is started on another port');
    }
    assert.deepEqual(other.received.filter(carriesToken), [], 'the program on the port received no request carrying a token');
    assert.ok(other.received.every((r) => r.path === '/.well-known/openid-configuration' || r.path === '/jwks'), `only asked who it is: ${other.received.map((r) => r.path).join(', ')}`);
    assert.equal((await readDemoState(cli.dataDir))?.issuer, state.issuer, 'the recorded issuer is kept');

    // The foreground demo provider does not move either, unless told to.
    const fg = await cli.run(['demo-idp']);
    assertFailed(fg, 4, 'DEMO_PORT_TAKEN');

    // Moving it: a new issuer; the old demo session needs a new sign-in and still sends nothing anywhere.
    const moved = cli.start(['demo-idp', '--port', '0']);
    try {
      await moved.stderrMatching(/need a new sign-in/);
      const newState = await readDemoState(cli.dataDir);
      assert.notEqual(newState?.issuer, state.issuer);
      const r = await cli.run(['token', id]);
      assertFailed(r, 3, 'SIGN_IN_NEEDED');
      assert.match(r.stderr, /login demo/);
    } finally {
      await stopDemoProvider({ dataDir: cli.dataDir });
      await moved.done;
    }

    // Signing out of the old session stays local: the revocation is not sent to the program on the old port.
    const out = await cli.run(['logout', id]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /not revoked/);
    assert.deepEqual(other.received.filter(carriesToken), [], 'still no token received');
  } finally {
    await other.stop();
  }
});

test('a running demo provider on its recorded issuer is used as before (no false alarm)', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  try {
    const id = await cli.login('demo');
    const r = await cli.run(['refresh', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning|DEMO_PORT_TAKEN/);
  } finally {
    await stopDemoProvider({ dataDir: cli.dataDir });
  }
});

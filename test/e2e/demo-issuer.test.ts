/**
 * The demo provider keeps one issuer (SECURITY.md, "demo provider | its recorded port is taken by another
 * program | no token is sent to that port"). After a demo sign-in the demo provider is stopped and another
 * program takes its port: it replays everything the real demo provider publishes (its discovery document,
 * its JWKS with the same kids and public keys) and even answers the identity challenge with a forged
 * signature under a real kid. `refresh`, `userinfo`, `token` needing a refresh and `logout` on the demo
 * session send it no token, also once `demo-idp/state.json` is gone: it is only asked who it is (and, without
 * state.json, for its metadata). And once `demo-idp --port 0` moved the demo provider to a new issuer, an
 * old demo session's `refresh` fails with SIGN_IN_NEEDED and nothing at all reaches the old port.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SignJWT, generateKeyPair } from 'jose';
import { demoPaths, readDemoState, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { Cli, KEYRING, NO_KEYRING, assertFailed, endCliRuns, isRecord } from '../harness/cli-runner.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

/** The demo provider's identity challenge (src-main/demo-idp/proof.ts). */
const PROOF_PATH = '/.well-known/oidc-desk-proof';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** What the real demo provider publishes to anyone: recorded before it stops, replayed by the impostor. */
interface Published {
  readonly discovery: string;
  readonly jwks: string;
  readonly jwksPath: string;
  /** The kid of the real demo provider's ES256 key. */
  readonly es256Kid: string;
}

async function recordPublished(issuer: string): Promise<Published> {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).text();
  const metadata: unknown = JSON.parse(discovery);
  assert.ok(isRecord(metadata) && typeof metadata['jwks_uri'] === 'string');
  const jwksUri = new URL(metadata['jwks_uri']);
  const jwks = await (await fetch(jwksUri)).text();
  const set: unknown = JSON.parse(jwks);
  assert.ok(isRecord(set) && Array.isArray(set['keys']));
  const es256 = set['keys'].find((k) => isRecord(k) && k['alg'] === 'ES256');
  assert.ok(isRecord(es256) && typeof es256['kid'] === 'string', 'the demo provider publishes an ES256 key');
  return { discovery, jwks, jwksPath: jwksUri.pathname, es256Kid: es256['kid'] };
}

/**
 * Another program on the demo provider's port: it serves the real discovery document and JWKS byte for
 * byte, answers any request carrying a `nonce` with a JWT under a real kid (signed with a key of its own),
 * takes any token it is sent, and records every request.
 */
async function impostor(port: number, published: Published): Promise<{ received: Received[]; connections(): number; stop(): Promise<void> }> {
  const { privateKey } = await generateKeyPair('ES256');
  const issuer = `http://127.0.0.1:${port}`;
  const received: Received[] = [];
  const readBody = async (req: IncomingMessage): Promise<string> => {
    let body = '';
    for await (const chunk of req) body += (chunk as Buffer).toString();
    return body;
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const url = new URL(req.url ?? '/', issuer);
      received.push({ method: req.method ?? '?', url: req.url ?? '', path: url.pathname, authorization: req.headers.authorization, body });
      const send = (type: string, text: string): void => void res.writeHead(200, { 'content-type': type }).end(text);
      if (url.pathname === '/.well-known/openid-configuration') return send('application/json', published.discovery);
      if (url.pathname === published.jwksPath) return send('application/json', published.jwks);
      const nonce = url.searchParams.get('nonce');
      if (nonce !== null) {
        const forged = await new SignJWT({ nonce, iss: issuer })
          .setProtectedHeader({ alg: 'ES256', kid: published.es256Kid, typ: 'oidc-desk-proof+jwt' })
          .setIssuedAt()
          .sign(privateKey);
        return send('application/jwt', forged);
      }
      // Anything else: it would happily take a token.
      return send('application/json', JSON.stringify({ access_token: 'impostor-access-token', token_type: 'Bearer', expires_in: 300, sub: 'user-alice', active: true }));
    });
  });
  let connections = 0;
  server.on('connection', () => void (connections += 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    received,
    connections: () => connections,
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

test('an impostor on the demo provider\'s recorded port replaying its JWKS and discovery document receives no request carrying a token', { skip: KEYRING ? false : NO_KEYRING, timeout: 300_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  const id = await cli.login('demo');
  const refreshToken = await cli.storedRefreshToken(id);
  const cached = await cli.run(['token', id]);
  assert.equal(cached.code, 0, cached.stderr);
  const accessToken = cached.stdout.trim();
  recordSecrets(accessToken);
  const state = await readDemoState(cli.dataDir);
  assert.ok(state?.pid, 'the demo provider runs');
  const published = await recordPublished(state.issuer);
  assert.equal(await stopDemoProvider({ dataDir: cli.dataDir }), true);

  const other = await impostor(state.port, published);
  try {
    for (const args of [['refresh', id], ['userinfo', id], ['token', id, '--min-valid', '86400']]) {
      const r = await cli.run(args);
      assertFailed(r, 4, 'DEMO_PORT_TAKEN');
      assert.ok(r.stderr.includes(`${state.port}`), `names the port:\n${r.stderr}`);
      assert.match(r.stderr, /another program/);
      assert.match(r.stderr, /demo-idp --port/, 'says how to move the demo provider');
      assert.doesNotMatch(r.stderr, /Starting the demo provider/, 'no demo provider is started elsewhere');
    }
    // The foreground demo provider does not move either, unless told to.
    assertFailed(await cli.run(['demo-idp']), 4, 'DEMO_PORT_TAKEN');
    assert.equal((await readDemoState(cli.dataDir))?.issuer, state.issuer, 'the recorded issuer is kept');
    assert.ok(other.received.length > 0, 'the program on the port was asked who it is');
    assert.deepEqual([...new Set(other.received.map((r) => r.path))], [PROOF_PATH], 'it was only asked to prove who it is');

    // Without state.json the demo session's issuer is not known to be the demo provider's: the program must still prove it.
    await rm(demoPaths(cli.dataDir).state);
    for (const args of [['refresh', id], ['userinfo', id]]) {
      const r = await cli.run(args);
      assertFailed(r, 3, 'SIGN_IN_NEEDED');
      assert.match(r.stderr, /login demo/, 'says how to sign in again');
    }
    const out = await cli.run(['logout', id]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await cli.json(['sessions']), [], 'signed out here');

    const carriesToken = (r: Received): boolean => r.method !== 'GET' || r.authorization !== undefined || r.body !== ''
      || r.url.includes(refreshToken) || r.url.includes(accessToken);
    assert.deepEqual(other.received.filter(carriesToken), [], 'it received no request carrying a token');
    const asked = new Set(other.received.map((r) => r.path));
    assert.ok([...asked].every((p) => p === PROOF_PATH || p === '/.well-known/openid-configuration'), `only who it is, and its metadata: ${[...asked].join(', ')}`);
  } finally {
    await other.stop();
  }
});

test('after demo-idp --port 0 moved the issuer, an old demo session\'s refresh fails with SIGN_IN_NEEDED and sends nothing to the old port', { skip: KEYRING ? false : NO_KEYRING, timeout: 300_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  const id = await cli.login('demo');
  await cli.storedRefreshToken(id);
  const state = await readDemoState(cli.dataDir);
  assert.ok(state?.pid, 'the demo provider runs');
  const published = await recordPublished(state.issuer);
  assert.equal(await stopDemoProvider({ dataDir: cli.dataDir }), true);

  const moved = cli.start(['demo-idp', '--port', '0']);
  try {
    await moved.stderrMatching(/need a new sign-in/);
    const newState = await readDemoState(cli.dataDir);
    assert.ok(newState !== undefined && newState.issuer !== state.issuer, 'a new issuer is recorded');
    // Whatever holds the old port now (here: one that replays the demo provider) must see nothing at all.
    const old = await impostor(state.port, published);
    try {
      for (const args of [['refresh', id], ['userinfo', id]]) {
        const r = await cli.run(args);
        assertFailed(r, 3, 'SIGN_IN_NEEDED');
        assert.match(r.stderr, /login demo/, 'says how to sign in again');
        assert.ok(r.stderr.includes(newState.issuer), `names where the demo provider is now:\n${r.stderr}`);
      }
      const out = await cli.run(['logout', id]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stderr, /SIGN_IN_NEEDED/, 'says why the tokens were not revoked');
      assert.deepEqual(await cli.json(['sessions']), [], 'signed out here');
      assert.equal(old.connections(), 0, 'no connection reached the old port');
      assert.deepEqual(old.received, []);
    } finally {
      await old.stop();
    }
  } finally {
    await stopDemoProvider({ dataDir: cli.dataDir });
    await moved.done;
  }
});

test('a running demo provider on its recorded issuer is used as before (no false alarm)', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  try {
    const id = await cli.login('demo');
    for (const args of [['refresh', id], ['userinfo', id]]) {
      const r = await cli.run(args);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /warning|DEMO_PORT_TAKEN/);
    }
    const out = await cli.run(['logout', id]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /revoked at the provider/);
  } finally {
    await stopDemoProvider({ dataDir: cli.dataDir });
  }
});

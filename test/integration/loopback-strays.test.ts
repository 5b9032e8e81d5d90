/**
 * Stray requests against a real loopback sign-in (the core's SignInEngine, the local oidc-provider,
 * Chromium): any local program can reach the listener, so a request without the pending flow's state
 * gets 400, is counted, and ends nothing; only the callback carrying that state completes or fails the
 * sign-in, after which (or at the deadline) the listener is closed; a flood of them ends nothing either.
 * Token requests are counted at the provider.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SignInEngine, type StartedSignIn } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile, type Profile } from '../../src-main/core/profile.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const alice = DEMO_USERS[0]!;
const { idp, browser } = useLocalProvider();

function profile(): Profile {
  return parseProfile({
    name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true,
    scopes: 'openid profile offline_access', extraParams: { prompt: 'consent' }, redirect: 'loopback',
  });
}

function engine(flowTtlMs?: number): SignInEngine {
  return new SignInEngine({ fetch: createHttpClient(), now: Date.now, ...(flowTtlMs === undefined ? {} : { flowTtlMs }) });
}

/** Starts a loopback sign-in and returns it with its state (recorded as a secret) and port. */
async function startSignIn(e = engine()): Promise<{ started: StartedSignIn; state: string; port: number }> {
  const started = await e.start(profile());
  const state = new URL(started.authorizationUrl).searchParams.get('state') ?? '';
  recordSecrets(state, new URL(started.authorizationUrl).searchParams.get('nonce'));
  return { started, state, port: Number(new URL(started.redirectUri).port) };
}

/** One raw request, the way any local program could send it; resolves with the status, or the socket error code. */
function hit(port: number, target: string, opts: { method?: string; host?: string; address?: string } = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: opts.address ?? '127.0.0.1', port, path: target, method: opts.method ?? 'GET', agent: false, headers: { host: opts.host ?? `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

async function tokenRequests(): Promise<number> {
  return (await idp.counts())['token:authorization_code'] ?? 0;
}

test('strays while a sign-in waits get 400 and are counted; the real callback from Chromium still completes it; then the listener is closed', async () => {
  await idp.resetCounts();
  const { started, state, port } = await startSignIn();
  try {
    const iss = encodeURIComponent(idp.issuer);
    const strays: readonly [string, { method?: string }, number][] = [
      ['/callback', {}, 400], // no query at all
      [`/callback?code=forged-code-1&state=forged-state&iss=${iss}`, {}, 400], // a wrong state
      ['/callback?error=access_denied', {}, 400], // error= without the state
      ['/callback?error=access_denied&state=forged-state', {}, 400],
      [`/callback?code=forged-code-2&state=${state}&state=${state}&iss=${iss}`, {}, 400], // a repeated state
      [`/callback?code=forged-code-3&state=${state}`, { method: 'POST' }, 405],
    ];
    recordSecrets('forged-code-1', 'forged-code-2', 'forged-code-3');
    for (const [target, opts, status] of strays) assert.equal(await hit(port, target, opts), status, target);
    // Not strays of the callback path, and not counted: another path first, a foreign Host.
    assert.equal(await hit(port, '/favicon.ico'), 404);
    assert.equal(await hit(port, `/callback?code=x&state=${state}`, { host: `evil.example:${port}` }), 421);
    assert.equal(started.strayRequests, strays.length);
    assert.equal(await tokenRequests(), 0, 'no stray caused a token request');
    // Never bound beyond loopback: this machine's other addresses do not reach the listener.
    for (const address of Object.values(networkInterfaces()).flat()) {
      if (address === undefined || address.internal || address.family !== 'IPv4') continue;
      assert.equal(await hit(port, '/callback', { address: address.address }), 'ECONNREFUSED', address.address);
    }

    recordSecrets(...redirectSecrets(await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: started.redirectUri })));
    const result = await started.result;
    recordSecrets(result.tokens.accessToken, result.tokens.idToken, result.tokens.refreshToken);
    assert.equal(result.tokens.idTokenClaims?.sub, alice.sub);
    assert.equal(result.strayRequests, strays.length, 'the count is on the result');
    assert.equal(await tokenRequests(), 1, 'exactly one token request: the real callback');
    assert.equal(await hit(port, `/callback?code=late&state=${state}`), 'ECONNREFUSED', 'a request after success finds the listener closed');
  } finally {
    started.cancel();
  }
});

test('error= with the pending state (consent denied) after strays: the sign-in fails as cancelled, with the count, and no token request', async () => {
  await idp.resetCounts();
  const { started, port } = await startSignIn();
  try {
    assert.equal(await hit(port, '/callback?error=access_denied'), 400);
    assert.equal(await hit(port, '/callback?error=access_denied&state=nope'), 400);
    recordSecrets(...redirectSecrets(await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: started.redirectUri, consent: 'deny' })));
    await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
    assert.equal(started.strayRequests, 2, 'the count is there when the sign-in failed too');
    assert.equal(await tokenRequests(), 0);
    assert.equal(await hit(port, '/callback'), 'ECONNREFUSED');
  } finally {
    started.cancel();
  }
});

test('a callback with the pending state but another iss fails the sign-in before the token endpoint and closes the listener', async () => {
  await idp.resetCounts();
  const { started, state, port } = await startSignIn();
  try {
    recordSecrets('forged-code-4');
    assert.equal(await hit(port, `/callback?code=forged-code-4&state=${state}&iss=${encodeURIComponent('http://127.0.0.1:1')}`), 200);
    await assert.rejects(started.result, { code: 'CALLBACK_ISS_MISMATCH' });
    assert.equal(started.strayRequests, 0);
    assert.equal(await tokenRequests(), 0);
    assert.equal(await hit(port, `/callback?code=forged-code-4&state=${state}`), 'ECONNREFUSED');
  } finally {
    started.cancel();
  }
});

test('a flood of stray requests from plain fetch while Chromium completes the real sign-in: it completes, every stray is counted, one token request', { timeout: 120_000 }, async () => {
  await idp.resetCounts();
  const { started, port } = await startSignIn();
  let answered = 0;
  const other: (number | string)[] = [];
  let settled = false;
  let reached!: () => void;
  const enough = new Promise<void>((resolve) => (reached = resolve));
  const BEFORE_BROWSER = 300;
  /** One flooding program: request after request, until the listener is gone. */
  const flooder = async (worker: number): Promise<void> => {
    for (let i = 0; !settled; i += 1) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/callback?code=flood-${worker}-${i}&state=guess-${worker}-${i}`);
        await response.arrayBuffer();
        if (response.status === 400) answered += 1;
        else other.push(response.status);
        if (answered >= BEFORE_BROWSER) reached();
      } catch (error) {
        // Once the callback is answered the listener closes: that ends the flood.
        if (!settled) other.push(error instanceof Error ? error.message : 'error');
        return;
      }
    }
  };
  // The listener closes right after the sign-in settles: requests failing from then on are expected.
  started.result.then(() => (settled = true), () => (settled = true));
  const flood = Promise.all(Array.from({ length: 8 }, (_, worker) => flooder(worker)));
  try {
    await Promise.race([enough, started.result.then(() => assert.fail('the sign-in ended before the browser came'))]);
    recordSecrets(...redirectSecrets(await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: started.redirectUri })));
    const result = await started.result;
    await flood;
    recordSecrets(result.tokens.accessToken, result.tokens.idToken, result.tokens.refreshToken);
    assert.equal(result.tokens.idTokenClaims?.sub, alice.sub, 'the sign-in completed in the middle of the flood');
    assert.ok(result.strayRequests >= BEFORE_BROWSER, `the strays are reported on the result (${result.strayRequests})`);
    assert.ok(started.strayRequests >= answered, 'every stray answered 400 was counted');
    assert.deepEqual(other, [], 'every stray before the end got 400');
    assert.equal(await tokenRequests(), 1, 'exactly one token request: the real callback');
    assert.equal(await hit(port, '/callback'), 'ECONNREFUSED', 'closed after the callback');
  } finally {
    settled = true;
    started.cancel();
    await flood;
  }
});

test('at the flow deadline the listener closes; the strays before it are reported on the timed-out sign-in', async () => {
  const { started, port } = await startSignIn(engine(1500));
  try {
    assert.equal(await hit(port, '/callback?code=c&state=wrong'), 400);
    await assert.rejects(started.result, { code: 'FLOW_TIMEOUT' });
    assert.equal(started.strayRequests, 1);
    // The receiver's own deadline equals the flow's; wait for it rather than for a clock.
    let status = await hit(port, '/callback');
    for (let i = 0; i < 50 && status !== 'ECONNREFUSED'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await hit(port, '/callback');
    }
    assert.equal(status, 'ECONNREFUSED');
  } finally {
    started.cancel();
  }
});

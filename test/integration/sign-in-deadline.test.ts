/**
 * One deadline per sign-in: the per-sign-in timeout, `cancel()` and a caller's AbortSignal end the
 * flow, its pending entry, its loopback listener and an exchange under way, all at once. Against the
 * local oidc-provider; a provider whose token endpoint never answers is the hostile one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { DeskError } from '../../src-main/core/errors.ts';
import { createHttpClient, type FetchLike } from '../../src-main/core/http/client.ts';
import { SignInEngine, type StartedSignIn } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile, type Profile } from '../../src-main/core/profile.ts';
import { startHostileIdp } from '../harness/hostile-idp.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

let idp: TestIdp;

before(async () => {
  idp = await startTestIdp();
});

after(() => idp?.stop());

function profile(issuer = idp.issuer, redirect = 'loopback'): Profile {
  return parseProfile({ name: 'local', issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid', redirect });
}

function stateOf(started: StartedSignIn): string {
  const url = new URL(started.authorizationUrl);
  const state = url.searchParams.get('state') ?? '';
  recordSecrets(state, url.searchParams.get('nonce'));
  return state;
}

/** The status of a GET on the loopback redirect, or the socket error code once the listener is gone. */
function hit(uri: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(uri, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

/** Waits until the listener refuses connections (it closes on the abort event; the socket goes a tick later). */
async function closed(uri: string): Promise<number | string> {
  let status = await hit(uri);
  for (let i = 0; i < 50 && status !== 'ECONNREFUSED'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await hit(uri);
  }
  return status;
}

test('a per-sign-in timeout is the deadline: expiresAt, FLOW_TIMEOUT, the flow gone, the listener closed', { timeout: 30_000 }, async () => {
  const fixedNow = 1_750_000_000_000;
  const engine = new SignInEngine({ fetch: createHttpClient(), now: () => fixedNow });
  const started = await engine.start(profile(), { timeoutMs: 1500 });
  const state = stateOf(started);
  assert.equal(started.expiresAt, fixedNow + 1500, 'expiresAt is the deadline on the engine\'s clock');
  assert.equal(await hit(`${started.redirectUri}?state=wrong`), 400, 'listening until the deadline');
  await assert.rejects(started.result, { code: 'FLOW_TIMEOUT' });
  assert.equal(engine.pendingCount, 0);
  assert.equal(await closed(started.redirectUri), 'ECONNREFUSED');
  await assert.rejects(engine.router.handle(`${started.redirectUri}?code=late&state=${state}&iss=${encodeURIComponent(idp.issuer)}`), { code: 'CALLBACK_STATE_UNKNOWN' });
});

test('without a timeout the engine\'s flow lifetime is the deadline', { timeout: 30_000 }, async () => {
  const engine = new SignInEngine({ fetch: createHttpClient(), now: () => 5_000, flowTtlMs: 60_000 });
  const started = await engine.start(profile(idp.issuer, 'dev.oidcdesk:/callback'));
  assert.equal(started.expiresAt, 65_000);
  started.cancel();
  await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
});

test('cancel(): SIGN_IN_CANCELLED, the flow gone, the listener closed', { timeout: 30_000 }, async () => {
  const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
  const started = await engine.start(profile());
  const state = stateOf(started);
  started.cancel();
  await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
  assert.equal(engine.pendingCount, 0);
  assert.equal(await closed(started.redirectUri), 'ECONNREFUSED');
  await assert.rejects(engine.router.handle(`${started.redirectUri}?code=x&state=${state}`), { code: 'CALLBACK_STATE_UNKNOWN' });
});

test('a caller\'s AbortSignal ends the sign-in the same way; a DeskError reason is the outcome', { timeout: 30_000 }, async () => {
  const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
  const controller = new AbortController();
  const started = await engine.start(profile(), { signal: controller.signal });
  stateOf(started);
  controller.abort();
  await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
  assert.equal(engine.pendingCount, 0);
  assert.equal(await closed(started.redirectUri), 'ECONNREFUSED');

  const own = new AbortController();
  const second = await engine.start(profile(), { signal: own.signal });
  stateOf(second);
  own.abort(new DeskError('FLOW_TIMEOUT', 'The window was closed.'));
  await assert.rejects(second.result, { code: 'FLOW_TIMEOUT' });

  const already = AbortSignal.abort();
  await assert.rejects(engine.start(profile(), { signal: already }), { code: 'SIGN_IN_CANCELLED' });
  assert.equal(engine.pendingCount, 0, 'a sign-in whose signal was already aborted never waits');
});

test('a timeout that is not a positive number of ms up to a day is a usage error, before any listener', { timeout: 30_000 }, async () => {
  const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
  for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 24 * 3600_000 + 1]) {
    await assert.rejects(engine.start(profile(), { timeoutMs }), { code: 'USAGE' }, String(timeoutMs));
  }
  assert.equal(engine.pendingCount, 0);
});

test('cancelling while the token endpoint hangs aborts the token request with the sign-in', { timeout: 30_000 }, async () => {
  const hostile = await startHostileIdp({ autoApprove: true, token: () => 'hang' });
  let tokenSignal: AbortSignal | undefined;
  let tokenRequested!: () => void;
  const requested = new Promise<void>((resolve) => {
    tokenRequested = resolve;
  });
  const observe: FetchLike = (input, init) => {
    if (input.toString().endsWith('/token')) {
      tokenSignal = init?.signal ?? undefined;
      tokenRequested();
    }
    return fetch(input, init as RequestInit);
  };
  try {
    const engine = new SignInEngine({ fetch: createHttpClient({ fetch: observe, timeoutMs: 60_000 }), now: Date.now });
    const started = await engine.start(profile(hostile.issuer, 'dev.oidcdesk:/callback'));
    stateOf(started);
    const approved = await fetch(started.authorizationUrl, { redirect: 'manual' });
    const callback = approved.headers.get('location') ?? '';
    const handled = engine.router.handle(callback).then(() => 'completed', (error: unknown) => error);
    await requested;
    assert.equal(tokenSignal?.aborted, false);
    started.cancel();
    await assert.rejects(started.result, { code: 'SIGN_IN_CANCELLED' });
    assert.equal(tokenSignal?.aborted, true, 'the hanging token request was aborted with the sign-in');
    assert.notEqual(await handled, 'completed');
    assert.ok((hostile.counts['/token'] ?? 0) <= 1, 'never retried');
  } finally {
    await hostile.stop();
  }
});

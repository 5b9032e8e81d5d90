/**
 * The device authorization grant (RFC 8628) against answers a compliant provider never gives on its own,
 * from the small hostile provider (test/harness/hostile-idp.ts): `slow_down` honoured (the provider counts
 * a poll that comes before the interval it asked for as too early, and says so again), `expired_token`,
 * and verification URIs or user codes no front may show or open (`javascript:`, http on a remote host,
 * control characters): refused before anything is shown, with nothing polled and nothing stored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, ErrorView, Result } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { heldGate, startHostileIdp, type HostileIdp, type HostileReply } from '../harness/hostile-idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

/** What the hostile provider's device endpoint answers next, and what its token endpoint does. */
let authorize: (idp: HostileIdp) => HostileReply = () => ({ status: 500 });
let poll: (form: URLSearchParams, idp: HostileIdp) => HostileReply | Promise<HostileReply> = () => ({ status: 500 });
/** What the revocation endpoint gets (each form), and what holds the JWKS answer (nothing, by default). */
const revoked: URLSearchParams[] = [];
let jwksGate: () => Promise<void> = () => Promise.resolve();

let idp: HostileIdp;
before(async () => {
  idp = await startHostileIdp({
    deviceAuthorization: (_form, self) => authorize(self),
    token: (form, self) => poll(form, self),
    revocation: (form) => {
      revoked.push(form);
      return { status: 200, body: '' };
    },
    jwksGate: () => jwksGate(),
  });
});
after(async () => idp?.stop());

function secret(label: string): string {
  const value = `${label}-${randomBytes(24).toString('base64url')}`;
  recordSecrets(value);
  return value;
}

/** A device authorization answer; `fields` override the well-formed ones. */
function deviceAnswer(fields: Record<string, unknown> = {}): HostileReply {
  return { json: { device_code: secret('device-code'), user_code: 'WDJB-MJHT', verification_uri: `${idp.issuer}/device`, expires_in: 120, interval: 1, ...fields } };
}

async function tokens(): Promise<HostileReply> {
  const now = Math.floor(Date.now() / 1000);
  return { json: { access_token: secret('at'), token_type: 'Bearer', expires_in: 300, refresh_token: secret('rt'), id_token: await idp.signIdToken({ sub: 'device-user', iat: now, exp: now + 300 }) } };
}

async function open(): Promise<{ desk: Desk; events: DeskEvent[] }> {
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-device-hostile-')), secrets: memory });
  const events: DeskEvent[] = [];
  desk.api.subscribe((e) => void events.push(e));
  const added = await desk.api.addProfile({ profile: { name: 'tv', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, flow: 'device_code', scopes: 'openid offline_access' } });
  assert.ok(added.ok);
  return { desk, events };
}

/** The outcome event of `flowId`. */
function outcome(desk: Desk, events: readonly DeskEvent[], flowId: string): Promise<{ error?: ErrorView; ok?: true }> {
  const pick = (e: DeskEvent): { error?: ErrorView; ok?: true } | undefined => (e.type === 'sign-in-failed' && e.flowId === flowId ? { error: e.error } : e.type === 'sign-in-completed' && e.flowId === flowId ? { ok: true } : undefined);
  for (const e of events) {
    const o = pick(e);
    if (o !== undefined) return Promise.resolve(o);
  }
  return new Promise((resolve) => {
    const stop = desk.api.subscribe((e) => {
      const o = pick(e);
      if (o === undefined) return;
      stop();
      resolve(o);
    });
  });
}

function started<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

test('slow_down: the interval grows by 5 s for every later poll, so the provider never has to say it twice', { timeout: 60_000 }, async () => {
  const { desk, events } = await open();
  // A strict provider: the first poll is told to slow down; any later one that comes before the interval
  // it asked for (1 s + 5 s) is told again; one that waited long enough gets the tokens.
  const answers: string[] = [];
  let last = 0;
  let required = 0;
  poll = async (form) => {
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:device_code');
    const now = Date.now();
    const early = answers.length === 0 || now - last < required * 1000 - 250;
    last = now;
    if (early) {
      required = (required === 0 ? 1 : required) + 5;
      answers.push('slow_down');
      return { status: 400, json: { error: 'slow_down' } };
    }
    answers.push('tokens');
    return tokens();
  };
  // Long enough for a client that slows down (1 s, then 6 s); one that does not is told again until the code expires.
  authorize = () => deviceAnswer({ interval: 1, expires_in: 20 });
  const start = started(await desk.api.startSignIn({ profile: 'tv' }));
  assert.ok('device' in start);
  assert.equal(start.device.interval, 1);
  const result = await outcome(desk, events, start.flowId);
  assert.deepEqual(answers, ['slow_down', 'tokens'], 'the poll after slow_down waited the longer interval');
  assert.deepEqual(result, { ok: true });
  const progress = events.filter((e) => e.type === 'sign-in-polling');
  assert.deepEqual(progress, [{ type: 'sign-in-polling', flowId: start.flowId, polls: 1, interval: 6, slowDown: true }], 'the fronts heard that the interval grew');
  const session = started(await desk.api.listSessions())[0];
  assert.equal(session?.flow, 'device_code');
  assert.equal(session?.subject, 'device-user');
  desk.close();
});

test('cancelled while the tokens it polled for were being checked: no session, and the grant the provider issued is revoked there', { timeout: 30_000 }, async () => {
  const { desk, events } = await open();
  let issued: string | undefined;
  poll = async () => {
    const reply = await tokens();
    issued = (reply as { json: { refresh_token: string } }).json.refresh_token;
    return reply;
  };
  // The ID token's check waits for the JWKS: the person cancels meanwhile, with the tokens already here.
  const held = heldGate();
  jwksGate = held.gate;
  revoked.length = 0;
  try {
    authorize = () => deviceAnswer({ interval: 1 });
    const start = started(await desk.api.startSignIn({ profile: 'tv' }));
    assert.ok('device' in start);
    await held.reached;
    started(await desk.api.cancelSignIn({ flowId: start.flowId }));
    held.release();
    const result = await outcome(desk, events, start.flowId);
    assert.equal(result.error?.code, 'SIGN_IN_CANCELLED');
    assert.deepEqual(started(await desk.api.listSessions()), [], 'no session was stored');
    assert.ok(issued !== undefined);
    // The revocation is sent before the outcome is announced.
    assert.deepEqual(revoked.map((f) => [f.get('token'), f.get('token_type_hint')]), [[issued, 'refresh_token']], 'the refresh token nobody holds was revoked at the provider');
  } finally {
    jwksGate = () => Promise.resolve();
    desk.close();
  }
});

test('expired_token from the provider ends the sign-in with DEVICE_CODE_EXPIRED after one poll', { timeout: 30_000 }, async () => {
  const { desk, events } = await open();
  let polls = 0;
  poll = () => {
    polls += 1;
    return { status: 400, json: { error: 'expired_token', error_description: 'device code is expired' } };
  };
  authorize = () => deviceAnswer();
  const start = started(await desk.api.startSignIn({ profile: 'tv' }));
  assert.ok('device' in start);
  const { error } = await outcome(desk, events, start.flowId);
  assert.equal(error?.code, 'DEVICE_CODE_EXPIRED');
  assert.equal(error?.oauthError, 'expired_token');
  assert.equal(polls, 1, 'no poll after expired_token');
  assert.deepEqual(started(await desk.api.listSessions()), []);
  desk.close();
});

test('what no front may show or open is refused before anything is shown, polled or stored', { timeout: 30_000 }, async () => {
  const { desk, events } = await open();
  const tokenRequests = idp.counts['/token'] ?? 0;
  let polls = 0;
  poll = () => {
    polls += 1;
    return { status: 400, json: { error: 'authorization_pending' } };
  };
  const hostile: Record<string, Record<string, unknown>> = {
    'a javascript: verification URI': { verification_uri: 'javascript:alert(document.cookie)' },
    'http on a remote host': { verification_uri: 'http://device.example.com/activate' },
    'a data: complete URI': { verification_uri_complete: 'data:text/html,<script>alert(1)</script>' },
    'a line break in the URI': { verification_uri: `${idp.issuer}/device\n\u001b[2J` },
    'credentials in the URI': { verification_uri_complete: `http://user:pass@127.0.0.1:${new URL(idp.issuer).port}/device` },
    'an escape sequence in the user code': { user_code: 'WDJB\u001b[31m-MJHT' },
    'a right-to-left override in the user code': { user_code: 'WDJB-\u202eTHJM' },
    'a line break in the user code': { user_code: 'WDJB\nMJHT' },
    'an overlong user code': { user_code: 'W'.repeat(65) },
    'an empty user code': { user_code: ' ' },
    'a verification URI that is not a string': { verification_uri: 42 },
    'no device code': { device_code: undefined },
    'a negative expires_in': { expires_in: -1 },
  };
  for (const [what, fields] of Object.entries(hostile)) {
    authorize = () => deviceAnswer(fields);
    const result = await desk.api.startSignIn({ profile: 'tv' });
    assert.equal(result.ok, false, `${what}: refused`);
    assert.equal(!result.ok && result.error.code, 'DEVICE_AUTHORIZATION_INVALID', what);
    const text = JSON.stringify(result);
    assert.ok(!text.includes('javascript:') && !text.includes('device.example.com') && !text.includes('\u001b') && !text.includes('\u202e'), `${what}: the provider's text is not repeated`);
  }
  assert.equal(events.filter((e) => e.type === 'sign-in-started').length, 0, 'no sign-in started');
  assert.equal(idp.counts['/token'] ?? 0, tokenRequests, 'nothing polled');

  // An https page on another host (Okta's /activate, Google's, Microsoft's) is a provider's right.
  authorize = () => deviceAnswer({ verification_uri: 'https://device.example.com/activate', verification_uri_complete: 'https://device.example.com/activate?user_code=WDJB-MJHT' });
  const fine = started(await desk.api.startSignIn({ profile: 'tv' }));
  assert.ok('device' in fine);
  assert.equal(fine.device.verificationUriComplete, 'https://device.example.com/activate?user_code=WDJB-MJHT');
  started(await desk.api.cancelSignIn({ flowId: fine.flowId }));
  assert.equal((await outcome(desk, events, fine.flowId)).error?.code, 'SIGN_IN_CANCELLED');
  assert.equal(polls, 0, 'cancelled before its first poll');
  assert.deepEqual(started(await desk.api.listSessions()), []);
  desk.close();
});

test('a provider without a device authorization endpoint: ENDPOINT_NOT_SUPPORTED, nothing sent', { timeout: 30_000 }, async () => {
  const plain = await startHostileIdp({});
  try {
    const memory = new MemorySecretStore();
    const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-device-none-')), secrets: memory });
    assert.ok((await desk.api.addProfile({ profile: { name: 'tv', issuer: plain.issuer, clientId: 'c', allowHttpLoopback: true, flow: 'device_code' } })).ok);
    const result = await desk.api.startSignIn({ profile: 'tv' });
    assert.equal(!result.ok && result.error.code, 'ENDPOINT_NOT_SUPPORTED');
    assert.equal(plain.counts['/token'], undefined);
    desk.close();
  } finally {
    await plain.stop();
  }
});

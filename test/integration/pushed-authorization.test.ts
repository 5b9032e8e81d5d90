/**
 * Pushed authorization requests (RFC 9126) through openDesk() and DeskApi, against the real local provider
 * (oidc-provider: PAR offered, and a second one requiring it) and Chromium: the browser gets only client_id
 * and request_uri while PKCE, state and nonce went in the push; `never` with a provider that requires PAR is
 * refused before anything is sent; `auto` follows the metadata; a request_uri past its expiry ends the
 * sign-in with its code instead of sending the browser to the provider's error page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, Result, SignInStart } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { openBrowser, type BrowserAgent } from '../harness/browser.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { signInOutcome } from '../harness/sign-in-outcome.ts';

const alice = DEMO_USERS[0]!;
let offered: TestIdp;
let required: TestIdp;
let browser: BrowserAgent;

before(async () => {
  [offered, required] = await Promise.all([startTestIdp(), startTestIdp({ par: { required: true } })]);
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await Promise.all([offered?.stop(), required?.stop()]);
});

/** A desk whose clock the test can move (`offset`, ms), with every event kept. */
async function open(): Promise<{ desk: Desk; events: DeskEvent[]; clock: { offset: number } }> {
  const clock = { offset: 0 };
  const secrets = new MemorySecretStore();
  Object.defineProperty(secrets, 'persistent', { value: true });
  const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-par-')), secrets, now: () => Date.now() + clock.offset });
  const events: DeskEvent[] = [];
  desk.api.subscribe((e) => void events.push(e));
  return { desk, events, clock };
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function addProfile(desk: Desk, issuer: string, par?: 'auto' | 'always' | 'never'): Promise<void> {
  value(await desk.api.addProfile({ profile: {
    name: 'local', issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme',
    scopes: 'openid profile email offline_access', extraParams: { prompt: 'consent' }, ...(par === undefined ? {} : { par }),
  } }));
}

async function start(desk: Desk): Promise<SignInStart> {
  const started = value(await desk.api.startSignIn({ profile: 'local' }));
  assert.ok(!('session' in started) && !('device' in started));
  return started;
}

/** Signs in through Chromium from `started`, delivers the redirect, and answers the outcome. */
async function finish(desk: Desk, started: SignInStart): Promise<DeskEvent> {
  const done = signInOutcome(desk, started.flowId);
  const redirect = await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: 'dev.oidcdesk:/callback' });
  recordSecrets(...redirectSecrets(redirect));
  value(await desk.deliverCallback(redirect));
  return done;
}

test('PAR always: the browser gets only client_id and request_uri; PKCE, state and nonce went in the push; the sign-in completes', { timeout: 90_000 }, async () => {
  const { desk } = await open();
  try {
    await addProfile(desk, offered.issuer, 'always');
    await offered.resetCounts();
    const before = Date.now();
    const started = await start(desk);
    const url = new URL(started.authorizationUrl);
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'], 'the opened URL carries only client_id and request_uri');
    assert.equal(url.searchParams.get('client_id'), 'oidc-desk');
    recordSecrets(url.searchParams.get('request_uri'));
    assert.ok(started.requestUriExpiresAt !== undefined && started.requestUriExpiresAt > before && started.requestUriExpiresAt <= Date.now() + 60_000, 'the request_uri expiry (oidc-provider: 60 s) is announced');
    assert.equal((await offered.counts())['pushed_authorization_request'], 1);

    const done = await finish(desk, started);
    assert.equal(done.type, 'sign-in-completed', JSON.stringify(done));
    if (done.type !== 'sign-in-completed') return;
    const timeline = value(await desk.api.sessionTimeline({ sessionId: done.session.id }));
    const push = timeline.find((e) => new URL(e.url).pathname.endsWith('/request'));
    assert.ok(push !== undefined, 'the push is in the session\'s timeline');
    const body = new URLSearchParams(push.requestBody);
    assert.equal(body.get('code_challenge_method'), 'S256');
    assert.match(body.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.get('response_type'), 'code');
    assert.match(body.get('state') ?? '', /^\*\*\*masked-/, 'state went in the push, masked in the timeline');
    assert.match(body.get('nonce') ?? '', /^\*\*\*masked-/, 'nonce went in the push, masked in the timeline');
    assert.ok(!JSON.stringify(timeline).includes(url.searchParams.get('request_uri') ?? '-'), 'the request_uri is masked in the timeline');
    assert.equal((await offered.counts())['token:authorization_code'], 1);
  } finally {
    desk.close();
  }
});

test('a provider that requires PAR and a profile that says never: PAR_REQUIRED before any listener, push or browser', { timeout: 60_000 }, async () => {
  const { desk, events } = await open();
  try {
    await addProfile(desk, required.issuer, 'never');
    await required.resetCounts();
    const refused = await desk.api.startSignIn({ profile: 'local' });
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'PAR_REQUIRED');
    const counts = await required.counts();
    assert.equal(counts['pushed_authorization_request'], undefined, 'nothing was pushed');
    assert.equal(counts['authorization'], undefined);
    assert.ok(!events.some((e) => e.type === 'sign-in-started'), 'no sign-in started');
  } finally {
    desk.close();
  }
});

test('PAR auto: pushed when the provider\'s metadata requires it, not when it only offers it', { timeout: 90_000 }, async () => {
  const { desk } = await open();
  try {
    await addProfile(desk, required.issuer);
    assert.equal(value(await desk.api.listProfiles())[0]?.par, 'auto', 'auto is the default');
    const pushed = await start(desk);
    assert.deepEqual([...new URL(pushed.authorizationUrl).searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const done = await finish(desk, pushed);
    assert.equal(done.type, 'sign-in-completed', JSON.stringify(done));

    value(await desk.api.updateProfile({ name: 'local', profile: { name: 'local', issuer: offered.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', extraParams: { prompt: 'consent' } } }));
    const plain = await start(desk);
    const url = new URL(plain.authorizationUrl);
    assert.equal(plain.requestUriExpiresAt, undefined);
    assert.equal(url.searchParams.get('request_uri'), null);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256', 'the request is in the URL');
    value(await desk.api.cancelSignIn({ flowId: plain.flowId }));
  } finally {
    desk.close();
  }
});

test('a pushed request whose request_uri expired before the browser was sent: PAR_REQUEST_EXPIRED, the sign-in ended', { timeout: 60_000 }, async () => {
  const { desk, clock } = await open();
  try {
    await addProfile(desk, offered.issuer, 'always');
    // Before the expiry the same call is a plain cancel: the request_uri was still good.
    const early = await start(desk);
    const cancelled = signInOutcome(desk, early.flowId);
    value(await desk.api.cancelSignIn({ flowId: early.flowId, reason: 'request-uri-expired' }));
    const first = await cancelled;
    assert.equal(first.type === 'sign-in-failed' ? first.error.code : first.type, 'SIGN_IN_CANCELLED');

    const late = await start(desk);
    assert.ok(late.requestUriExpiresAt !== undefined);
    clock.offset = late.requestUriExpiresAt - Date.now() + 1_000;
    const ended = signInOutcome(desk, late.flowId);
    value(await desk.api.cancelSignIn({ flowId: late.flowId, reason: 'request-uri-expired' }));
    const second = await ended;
    assert.equal(second.type === 'sign-in-failed' ? second.error.code : second.type, 'PAR_REQUEST_EXPIRED');
    const again = await desk.api.cancelSignIn({ flowId: late.flowId });
    assert.equal(again.ok ? 'ok' : again.error.code, 'USAGE', 'the sign-in is over');
  } finally {
    desk.close();
  }
});

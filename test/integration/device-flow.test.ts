/**
 * The device authorization grant (RFC 8628) through openDesk() and DeskApi against the real local provider
 * (oidc-provider's device flow, test/harness/device-flow.ts), real Chromium doing the person's part on the
 * provider's own pages, and the real keychain: the code answered at once, polling that waits on
 * `authorization_pending`, the session stored like the code flow's (refresh token in the keychain, refresh
 * works); the person refusing (`access_denied`); the code expiring; cancel stopping the polling; a
 * confidential device client; and the device code in no result, event, timeline, HAR or data file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import type { DeskEvent, DeviceSignInStart, ErrorView, Result, SessionView } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import type { FetchLike } from '../../src-main/core/http/client.ts';
import { fingerprint } from '../../src-main/core/http/redact.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { launchChromium } from '../harness/browser.ts';
import { completeDeviceSignIn, deviceClient } from '../harness/device-flow.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { testSecret } from '../harness/service-clients.ts';

const CHROMIUM = process.env['OIDC_DESK_CHROMIUM'] ?? '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? false : `needs Chromium at ${CHROMIUM}`;
const ALICE = DEMO_USERS[0]!;
const POLL = 'token:urn:ietf:params:oauth:grant-type:device_code';
const CONF_SECRET = testSecret('device-conf-secret');

function keychain(): SecretStore {
  if (process.env['OIDC_DESK_TEST_KEYRING'] === '1') return new KeytarSecretStore({ service: `OIDC Desk device test ${process.pid} ${Math.random()}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

/** What the provider issued over the wire (device codes, tokens): recorded for the after-run grep, and looked for in what fronts see. */
const issued: string[] = [];

/** The global fetch, reading what the provider issues on the way (the core's client sits above it). */
const recordingFetch: FetchLike = async (input, init) => {
  const response = await fetch(input, init as RequestInit);
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    const body: unknown = await response.clone().json().catch(() => undefined);
    if (typeof body === 'object' && body !== null) {
      for (const key of ['device_code', 'access_token', 'refresh_token', 'id_token']) {
        const v = (body as Record<string, unknown>)[key];
        if (typeof v === 'string') {
          issued.push(v);
          recordSecrets(v);
        }
      }
    }
  }
  return response;
};

interface Opened {
  readonly desk: Desk;
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly events: DeskEvent[];
  readonly seen: unknown[];
  /** Cancels every sign-in it started (a failed test must not leave one polling) and closes the desk. */
  done(): Promise<void>;
}

async function open(): Promise<Opened> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-device-'));
  const secrets = keychain();
  const desk = await openDesk({ dataDir, secrets, fetch: recordingFetch });
  const events: DeskEvent[] = [];
  desk.api.subscribe((e) => void events.push(e));
  const done = async (): Promise<void> => {
    for (const e of events) if (e.type === 'sign-in-started') await desk.api.cancelSignIn({ flowId: e.flowId });
    desk.close();
  };
  return { desk, dataDir, secrets, events, seen: [], done };
}

function value<T>(o: Opened, result: Result<T>): T {
  o.seen.push(result);
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Resolves with the first event of `flowId` that `match` accepts (also one heard already). */
function eventOf(o: Opened, flowId: string, match: (e: DeskEvent) => boolean): Promise<DeskEvent> {
  const heard = o.events.find((e) => 'flowId' in e && e.flowId === flowId && match(e));
  if (heard !== undefined) return Promise.resolve(heard);
  return new Promise((resolve) => {
    const stop = o.desk.api.subscribe((e) => {
      if (!('flowId' in e) || e.flowId !== flowId || !match(e)) return;
      stop();
      resolve(e);
    });
  });
}

/** The outcome of a sign-in: its session, or its error. */
async function outcome(o: Opened, flowId: string): Promise<{ session?: SessionView; error?: ErrorView }> {
  const e = await eventOf(o, flowId, (x) => x.type === 'sign-in-completed' || x.type === 'sign-in-failed');
  if (e.type === 'sign-in-completed') return { session: e.session };
  if (e.type === 'sign-in-failed') return { error: e.error };
  throw new Error('unreachable');
}

async function addDeviceProfile(o: Opened, idp: TestIdp, name: string, clientId: string, clientAuth?: 'client_secret_basic'): Promise<void> {
  value(o, await o.desk.api.addProfile({ profile: { name, issuer: idp.issuer, clientId, allowHttpLoopback: true, flow: 'device_code', scopes: 'openid profile email offline_access', ...(clientAuth === undefined ? {} : { clientAuth }) } }));
}

async function start(o: Opened, profile: string, timeoutSeconds?: number): Promise<DeviceSignInStart> {
  const started = value(o, await o.desk.api.startSignIn({ profile, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) }));
  assert.ok('device' in started, 'a device sign-in answers with the code to enter');
  return started;
}

/** Every file of the data directory, as text. */
async function dataFiles(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  return (await Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name), 'utf8')))).join('\n');
}

describe('the device authorization grant against oidc-provider', { skip: SKIP, timeout: 240_000 }, () => {
  let idp: TestIdp;
  let browser: Browser;

  before(async () => {
    idp = await startTestIdp({ clients: [deviceClient('dev'), deviceClient('dev-conf', CONF_SECRET)], grants: { deviceFlow: true } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await idp?.stop();
  });

  test('the code at once, polling through authorization_pending, the session stored like the code flow’s, refresh works', async (t) => {
    const o = await open();
    t.after(() => o.done());
    await addDeviceProfile(o, idp, 'tv', 'dev');
    assert.equal(value(o, await o.desk.api.listProfiles())[0]?.clientAuth, 'none', 'a public client by default');
    await idp.resetCounts();
    const before = Date.now();
    const started = await start(o, 'tv');
    const { device } = started;
    assert.match(device.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(device.verificationUri, `${idp.issuer}/device`);
    assert.equal(device.verificationUriComplete, `${idp.issuer}/device?user_code=${device.userCode}`);
    assert.equal(device.interval, 5, 'the default interval: oidc-provider names none');
    assert.ok(device.expiresAt >= before + 600_000 && started.expiresAt === device.expiresAt, 'the code’s own lifetime bounds the sign-in');
    assert.ok(o.events.some((e) => e.type === 'sign-in-started' && e.flowId === started.flowId), 'sign-in-started announced');

    // The person has not acted yet: the first poll hears authorization_pending, and the polling goes on.
    const pending = await eventOf(o, started.flowId, (e) => e.type === 'sign-in-polling');
    assert.deepEqual(pending, { type: 'sign-in-polling', flowId: started.flowId, polls: 1, interval: 5, slowDown: false });
    assert.equal(await completeDeviceSignIn(browser, device.verificationUriComplete ?? '', undefined, { user: ALICE }), 'device-success');
    const { session, error } = await outcome(o, started.flowId);
    assert.equal(error, undefined, JSON.stringify(error));
    assert.ok(session !== undefined);
    assert.equal(session.flow, 'device_code');
    assert.equal(session.subject, ALICE.sub);
    assert.equal(session.displayName, 'Alice Example');
    assert.equal(session.storage, 'keychain');
    const report = session.idToken?.report;
    assert.ok(report?.kind === 'jwt' && report.valid, 'the ID token verified check by check, as the code flow’s');
    const counts = await idp.counts();
    assert.equal(counts['device_authorization'], 1);
    assert.ok((counts[POLL] ?? 0) >= 2, 'polled until the person had finished');

    const stored = await o.secrets.get(session.id);
    assert.ok(stored.kind === 'found', 'the refresh token is in the keychain');
    recordSecrets(stored.secret.refreshToken);
    const refreshed = value(o, await o.desk.api.refreshSession({ sessionId: session.id }));
    assert.equal(refreshed.status, 'active');
    assert.equal(refreshed.flow, 'device_code');
    const rotated = await o.secrets.get(session.id);
    assert.ok(rotated.kind === 'found' && rotated.secret.refreshToken !== stored.secret.refreshToken, 'the rotated refresh token replaced the old one');

    // Another process reads the index: the session and its flow survive a restart.
    const again = await openDesk({ dataDir: o.dataDir, secrets: o.secrets });
    assert.equal(value(o, await again.api.getSession({ sessionId: session.id })).flow, 'device_code');

    const places = [
      JSON.stringify(o.seen), JSON.stringify(o.events),
      JSON.stringify(value(o, await o.desk.api.sessionTimeline({ sessionId: session.id }))),
      JSON.stringify(value(o, await o.desk.api.exportHar({ sessionId: session.id }))),
      await dataFiles(o.dataDir),
    ].join('\n');
    assert.ok(places.includes(fingerprint(issued[0] ?? '')), 'the device code is in the timeline, masked');
    for (const secret of [...issued.filter((s) => !s.startsWith('eyJ')), stored.secret.refreshToken]) {
      assert.ok(!places.includes(secret), 'no device code, access or refresh token in any result, event, timeline, HAR or data file');
    }
    again.close();
  });

  test('the person refuses on the provider’s page: SIGN_IN_CANCELLED with access_denied, nothing stored, no more polls', async (t) => {
    const o = await open();
    t.after(() => o.done());
    await addDeviceProfile(o, idp, 'tv', 'dev');
    const started = await start(o, 'tv');
    assert.equal(await completeDeviceSignIn(browser, started.device.verificationUri, started.device.userCode, { user: ALICE, answer: 'deny' }), 'device-aborted');
    const { error } = await outcome(o, started.flowId);
    assert.equal(error?.code, 'SIGN_IN_CANCELLED');
    assert.equal(error?.oauthError, 'access_denied');
    assert.deepEqual(value(o, await o.desk.api.listSessions()), []);
    const polls = (await idp.counts())[POLL];
    await sleep(6_000);
    assert.equal((await idp.counts())[POLL], polls, 'the polling ended with the refusal');
  });

  test('cancelSignIn stops the polling: no token request after it', async (t) => {
    const o = await open();
    t.after(() => o.done());
    await addDeviceProfile(o, idp, 'tv', 'dev');
    await idp.resetCounts();
    const started = await start(o, 'tv');
    await eventOf(o, started.flowId, (e) => e.type === 'sign-in-polling');
    value(o, await o.desk.api.cancelSignIn({ flowId: started.flowId }));
    const { error } = await outcome(o, started.flowId);
    assert.equal(error?.code, 'SIGN_IN_CANCELLED');
    const polls = (await idp.counts())[POLL];
    assert.equal(polls, 1, 'one poll before the cancel');
    await sleep(2 * started.device.interval * 1000);
    assert.equal((await idp.counts())[POLL], polls, 'none after it');
    const again = await o.desk.api.cancelSignIn({ flowId: started.flowId });
    assert.equal(!again.ok && again.error.code, 'USAGE', 'the flow is no longer waiting');
  });

  test('a confidential device client: CLIENT_SECRET_MISSING before its secret is set, then the provider answers', async (t) => {
    const o = await open();
    t.after(() => o.done());
    await addDeviceProfile(o, idp, 'conf', 'dev-conf', 'client_secret_basic');
    await idp.resetCounts();
    const missing = await o.desk.api.startSignIn({ profile: 'conf' });
    assert.equal(!missing.ok && missing.error.code, 'CLIENT_SECRET_MISSING');
    assert.equal((await idp.counts())['device_authorization'], undefined, 'nothing was sent without the secret');
    value(o, await o.desk.api.setClientSecret({ profile: 'conf', secret: CONF_SECRET }));
    const started = await start(o, 'conf');
    assert.match(started.device.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    value(o, await o.desk.api.cancelSignIn({ flowId: started.flowId }));
    assert.equal((await outcome(o, started.flowId)).error?.code, 'SIGN_IN_CANCELLED');
    assert.ok(!JSON.stringify([o.seen, o.events]).includes(CONF_SECRET));
  });
});

describe('a device code that expires', { skip: SKIP, timeout: 120_000 }, () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp({ clients: [deviceClient('dev')], grants: { deviceFlow: true, deviceCodeTtl: 2 } });
  });
  after(async () => idp?.stop());

  test('its expires_in passes before the person finished: DEVICE_CODE_EXPIRED, nothing stored', async (t) => {
    const o = await open();
    t.after(() => o.done());
    await addDeviceProfile(o, idp, 'tv', 'dev');
    const started = await start(o, 'tv');
    assert.ok(started.device.expiresAt - Date.now() <= 2_000, 'the provider’s short lifetime');
    const { error } = await outcome(o, started.flowId);
    assert.equal(error?.code, 'DEVICE_CODE_EXPIRED');
    assert.deepEqual(value(o, await o.desk.api.listSessions()), []);
  });
});

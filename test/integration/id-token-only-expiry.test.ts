/**
 * A session holding only an ID token (the implicit flow's `response_type=id_token`): its expiry and status
 * follow the ID token's `exp`, in the process that signed in and in another one reading the same data
 * directory. A real sign-in through the local oidc-provider and Chromium; the clock moved, not waited for.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, Result, SessionView, SignInStart } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { openBrowser, type BrowserAgent } from '../harness/browser.ts';
import { FRONT_CHANNEL_CLIENT_ID, startFrontChannelIdp } from '../harness/front-channel-idp.ts';
import { DEMO_USERS, type TestIdp } from '../harness/idp.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const alice = DEMO_USERS[0]!;
let idp: TestIdp;
let browser: BrowserAgent;

before(async () => {
  idp = await startFrontChannelIdp();
  browser = await openBrowser().catch(async (error: unknown) => {
    await idp.stop();
    throw error;
  });
});
after(async () => {
  await browser?.close();
  await idp?.stop();
});

function keychain(): SecretStore {
  if (process.env['OIDC_DESK_TEST_KEYRING'] === '1') return new KeytarSecretStore({ service: `OIDC Desk id-token-only test ${process.pid}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

/** A desk whose clock the test moves forward. */
interface Opened { readonly desk: Desk; readonly events: DeskEvent[]; offset: number }

async function open(dataDir: string, secrets: SecretStore): Promise<Opened> {
  const opened: Opened = { desk: undefined as unknown as Desk, events: [], offset: 0 };
  const desk = await openDesk({ dataDir, secrets, now: () => Date.now() + opened.offset });
  desk.api.subscribe((event) => void opened.events.push(event));
  return Object.assign(opened, { desk });
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Signs alice in through Chromium on loopback (the provider's form post); the session announced. */
async function signIn(o: Opened, profile: string): Promise<SessionView> {
  const start = value(await o.desk.api.startSignIn({ profile })) as SignInStart;
  const done = new Promise<DeskEvent>((resolve) => {
    const check = (e: DeskEvent): void => {
      if ((e.type === 'sign-in-completed' || e.type === 'sign-in-failed') && e.flowId === start.flowId) resolve(e);
    };
    o.events.forEach(check);
    o.desk.api.subscribe(check);
  });
  recordSecrets(...redirectSecrets(await browser.signIn(start.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: start.redirectUri })));
  const event = await done;
  if (event.type !== 'sign-in-completed') assert.fail(`the sign-in failed: ${event.type === 'sign-in-failed' ? event.error.code : event.type}`);
  return event.session;
}

test('an ID-token-only session expires with its ID token, in every process', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-idonly-'));
  const secrets = keychain();
  const first = await open(dataDir, secrets);
  let second: Opened | undefined;
  try {
    value(await first.desk.api.addProfile({ profile: { name: 'idonly', issuer: idp.issuer, clientId: FRONT_CHANNEL_CLIENT_ID, allowHttpLoopback: true, redirect: 'loopback', flow: 'implicit', responseType: 'id_token', scopes: 'openid profile' } }));
    const session = await signIn(first, 'idonly');
    recordSecrets(value(await first.desk.api.revealToken({ sessionId: session.id, type: 'id' })).value);
    assert.equal(session.accessToken, undefined, 'an ID token only');
    const exp = session.idToken?.claims['exp'];
    assert.ok(typeof exp === 'number', 'the ID token has an exp');
    const expiresAt = exp * 1000;
    assert.equal(session.expiresAt, expiresAt, 'the session expires with its ID token');
    assert.equal(session.status, 'active');

    // Another process (a later CLI command) knows it from the index alone.
    second = await open(dataDir, secrets);
    const listed = value(await second.desk.api.getSession({ sessionId: session.id }));
    assert.equal(listed.expiresAt, expiresAt, 'every process sees the same expiry');
    assert.equal(listed.status, 'active');

    for (const o of [first, second]) {
      o.offset = expiresAt - Date.now() + 60_000;
      assert.equal(value(await o.desk.api.getSession({ sessionId: session.id })).status, 'expired', 'past the ID token\'s exp');
      assert.equal(value(await o.desk.api.listSessions()).find((s) => s.id === session.id)?.status, 'expired');
    }
  } finally {
    first.desk.close();
    second?.desk.close();
  }
});

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
import type { DeskEvent, SessionView, SignInStart } from '../../src-main/core/contract.ts';
import { openBrowser, type BrowserAgent } from '../harness/browser.ts';
import { FRONT_CHANNEL_CLIENT_ID, startFrontChannelIdp } from '../harness/front-channel-idp.ts';
import { DEMO_USERS, type TestIdp } from '../harness/idp.ts';
import { openClockedDesk, testKeychain, value, type ClockedDesk } from '../harness/clocked-desk.ts';
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

/** Signs alice in through Chromium on loopback (the provider's form post); the session announced. */
async function signIn(o: ClockedDesk, profile: string): Promise<SessionView> {
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
  const secrets = testKeychain('id-token-only test');
  const first = await openClockedDesk(dataDir, secrets);
  let second: ClockedDesk | undefined;
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
    second = await openClockedDesk(dataDir, secrets);
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

/**
 * The Okta session token flow through openDesk() and DeskApi, against a LOCAL STAND-IN for Okta's
 * Authentication API (test/harness/okta-authn-stand-in.ts: not Okta, it follows Okta's documented shapes) in
 * front of the real local oidc-provider on an Okta org's paths, with the real keychain: a SUCCESS becomes a
 * session with a verified ID token and a refresh token in the keychain that refreshes; MFA_REQUIRED,
 * LOCKED_OUT, a wrong password and Okta's rate limit are refused with their codes and no session; a session
 * token used already, a redirect elsewhere than the profile's redirect URI and a redirect with another state
 * are refused before any token request; the password, the session token and the code are in no result,
 * event, timeline, HAR or data file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, ErrorView, Result, SignInDone } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { fingerprint } from '../../src-main/core/http/redact.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { startTestIdp, type DemoUser, type TestIdp } from '../harness/idp.ts';
import { oktaIssued, type OktaAccount } from '../harness/okta-authn-stand-in.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { testSecret, testUser } from '../harness/service-clients.ts';

const USER = testUser();
/** A provider user for each misbehaving account (a SUCCESS account signs in at the provider too). */
function user(name: string): DemoUser {
  return { sub: `user-${name}`, username: name, password: testSecret(`${name}-pw`), name: `${name} Example`, email: `${name}@example.com`, emailVerified: true };
}
const REPLAY = user('dora');
const FOREIGN = user('erin');
const WRONG_STATE = user('fay');
const UNASSIGNED = user('kit');
const MFA: OktaAccount = { username: 'gil', password: testSecret('gil-pw'), status: 'MFA_REQUIRED' };
const LOCKED: OktaAccount = { username: 'hal', password: testSecret('hal-pw'), status: 'LOCKED_OUT' };
const EXPIRED: OktaAccount = { username: 'ida', password: testSecret('ida-pw'), status: 'PASSWORD_EXPIRED' };
const BUSY: OktaAccount = { username: 'jo', password: testSecret('jo-pw'), status: 'RATE_LIMITED' };
const PASSWORDS = [USER, REPLAY, FOREIGN, WRONG_STATE, UNASSIGNED, MFA, LOCKED, EXPIRED, BUSY].map((a) => a.password);

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({
    users: [USER, REPLAY, FOREIGN, WRONG_STATE, UNASSIGNED],
    okta: {
      accounts: [
        { username: USER.username, password: USER.password, status: 'SUCCESS' },
        { username: REPLAY.username, password: REPLAY.password, status: 'SUCCESS', misbehave: 'replay-session-token' },
        { username: FOREIGN.username, password: FOREIGN.password, status: 'SUCCESS', misbehave: 'foreign-redirect' },
        { username: WRONG_STATE.username, password: WRONG_STATE.password, status: 'SUCCESS', misbehave: 'wrong-state' },
        { username: UNASSIGNED.username, password: UNASSIGNED.password, status: 'SUCCESS', notAssigned: true },
        MFA, LOCKED, EXPIRED, BUSY,
      ],
    },
  });
});
after(async () => idp?.stop());

function keychain(): SecretStore {
  if (process.env['OIDC_DESK_TEST_KEYRING'] === '1') return new KeytarSecretStore({ service: `OIDC Desk okta test ${process.pid} ${Math.random()}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

/** An open desk and everything its API answered or announced. */
interface Watched { readonly desk: Desk; readonly dataDir: string; readonly secrets: SecretStore; readonly seen: unknown[] }

async function open(): Promise<Watched> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-okta-'));
  const secrets = keychain();
  const desk = await openDesk({ dataDir, secrets });
  const seen: unknown[] = [];
  desk.api.subscribe((e: DeskEvent) => void seen.push(e));
  return { desk, dataDir, secrets, seen };
}

function value<T>(w: Watched, result: Result<T>): T {
  w.seen.push(result);
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure<T>(w: Watched, result: Result<T>): ErrorView {
  w.seen.push(result);
  assert.equal(result.ok, false, 'the operation must fail');
  return (result as { ok: false; error: ErrorView }).error;
}

function done(result: SignInDone | { authorizationUrl: string } | { device: unknown }): SignInDone {
  assert.ok('session' in result, 'the sign-in completed without a browser');
  return result;
}

async function dataFiles(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  return (await Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name), 'utf8')))).join('\n');
}

/**
 * No password (nor its fingerprint), no session token and no code the stand-in issued appears in what the
 * API answered or announced, in the data directory, or in the timeline and HAR of `sessionIds`.
 */
async function assertNothingSecret(w: Watched, sessionIds: readonly string[]): Promise<void> {
  const issued = await oktaIssued(idp.issuer);
  assert.ok(issued.sessionTokens.length > 0, 'the stand-in issued session tokens');
  const forbidden = [...PASSWORDS, ...PASSWORDS.map(fingerprint), ...issued.sessionTokens, ...issued.codes];
  const places: Record<string, string> = { 'results and events': JSON.stringify(w.seen), 'data directory': await dataFiles(w.dataDir) };
  for (const sessionId of sessionIds) {
    places[`timeline of ${sessionId}`] = JSON.stringify(value(w, await w.desk.api.sessionTimeline({ sessionId })));
    places[`HAR of ${sessionId}`] = JSON.stringify(value(w, await w.desk.api.exportHar({ sessionId })));
  }
  for (const [where, text] of Object.entries(places)) {
    for (const secret of forbidden) assert.ok(!text.includes(secret), `a password, session token or code is in the ${where}`);
  }
}

const PROFILE = { issuer: '', clientId: 'oidc-desk', allowHttpLoopback: true, flow: 'okta_session_token' as const, redirect: 'loopback', scopes: 'openid profile email offline_access' };

async function addProfile(w: Watched, name: string, redirect = 'loopback'): Promise<void> {
  const view = value(w, await w.desk.api.addProfile({ profile: { ...PROFILE, name, issuer: idp.issuer, redirect } }));
  assert.equal(view.flow, 'okta_session_token');
  assert.equal(view.clientAuth, 'none', 'a public native client');
  assert.match(view.warning ?? '', /classic engine/, 'the view says where the password goes');
}

test('SUCCESS: a session with a verified ID token, the refresh token in the keychain, a refresh; every exchange masked', { timeout: 90_000 }, async () => {
  const w = await open();
  try {
    await addProfile(w, 'okta');
    await idp.resetCounts();
    const completed = new Promise<DeskEvent>((resolve) => w.desk.api.subscribe((e) => void (e.type === 'sign-in-completed' && resolve(e))));
    const { session } = done(value(w, await w.desk.api.startSignIn({ profile: 'okta', username: USER.username, password: USER.password })));
    assert.equal((await completed).type, 'sign-in-completed');
    assert.equal(session.flow, 'okta_session_token');
    assert.equal(session.subject, USER.sub);
    assert.equal(session.displayName, USER.name);
    const report = session.idToken?.report;
    assert.ok(report?.kind === 'jwt' && report.valid && report.checks.some((c) => c.id === 'signature' && c.result === 'pass') && report.checks.some((c) => c.id === 'nonce' && c.result === 'pass'), 'the ID token was verified: signature, nonce and the rest');
    assert.equal(session.storage, 'keychain');
    assert.equal(session.hasRefreshToken, true);
    const stored = await w.secrets.get(session.id);
    assert.ok(stored.kind === 'found' && stored.secret.issuer === idp.issuer && stored.secret.clientId === 'oidc-desk', 'the refresh token is in the keychain, bound to its issuer and client');
    recordSecrets(stored.secret.refreshToken);

    const issued = await oktaIssued(idp.issuer);
    assert.deepEqual(issued.redemptions.at(-1), { valid: true, prompt: 'none' }, 'the session token was redeemed with prompt=none');
    const counts = await idp.counts();
    assert.equal(counts['token:authorization_code'], 1, 'one code exchange');

    const refreshed = value(w, await w.desk.api.refreshSession({ sessionId: session.id }));
    assert.equal(refreshed.status, 'active');
    assert.equal((await idp.counts())['token:refresh_token'], 1);
    const newer = await w.secrets.get(session.id);
    if (newer.kind === 'found') recordSecrets(newer.secret.refreshToken);
    recordSecrets(value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'access' })).value, value(w, await w.desk.api.revealToken({ sessionId: session.id, type: 'id' })).value);

    const timeline = value(w, await w.desk.api.sessionTimeline({ sessionId: session.id }));
    const authn = timeline.find((e) => e.method === 'POST' && e.url.endsWith('/api/v1/authn'));
    assert.ok(authn !== undefined, 'the Authentication API call is in the session\'s timeline');
    assert.match(authn.requestBody, /"password":"\*\*\*masked"/);
    assert.match(String(authn.responseBody), /"sessionToken":"\*\*\*masked-[0-9a-f]{8}"/);
    const authorize = timeline.find((e) => e.url.includes('/oauth2/v1/authorize'));
    assert.equal(authorize?.status, 302, 'the authorization request answered with its redirect, not followed');
    assert.match(authorize.url, /sessionToken=\*\*\*masked-/);
    assert.match(authorize.url, /prompt=none/);
    assert.match(authorize.responseHeaders?.['location'] ?? '', /^http:\/\/127\.0\.0\.1\/callback\?.*code=\*\*\*masked-/);
    assert.ok(timeline.some((e) => e.method === 'POST' && e.url.endsWith('/oauth2/v1/token')), 'the code exchange');

    // The app's own scheme as redirect: read from the answer as well (nothing listens anywhere).
    await addProfile(w, 'okta-scheme', 'app-scheme');
    const second = done(value(w, await w.desk.api.startSignIn({ profile: 'okta-scheme', username: USER.username, password: USER.password }))).session;
    assert.equal(second.subject, USER.sub);
    const again = value(w, await w.desk.api.sessionTimeline({ sessionId: second.id })).find((e) => e.url.includes('/oauth2/v1/authorize'));
    assert.match(again?.responseHeaders?.['location'] ?? '', /^dev\.oidcdesk:\/callback\?/);
    recordSecrets(value(w, await w.desk.api.revealToken({ sessionId: second.id, type: 'access' })).value);
    await assertNothingSecret(w, [session.id, second.id]);
  } finally {
    w.desk.close();
  }
});

test('MFA_REQUIRED, LOCKED_OUT, PASSWORD_EXPIRED, a wrong password and the rate limit: their codes, no session, no authorization request', { timeout: 90_000 }, async () => {
  const w = await open();
  try {
    await addProfile(w, 'okta');
    await idp.resetCounts();
    const before = (await oktaIssued(idp.issuer)).redemptions.length;
    const failed: DeskEvent[] = [];
    w.desk.api.subscribe((e) => void (e.type === 'sign-in-failed' && failed.push(e)));
    const refused = async (username: string, password: string): Promise<ErrorView> => failure(w, await w.desk.api.startSignIn({ profile: 'okta', username, password }));

    const mfa = await refused(MFA.username, MFA.password);
    assert.equal(mfa.code, 'OKTA_MFA_REQUIRED');
    assert.match(mfa.message, /browser sign-in/, 'it says what to use instead');
    assert.equal((await refused(LOCKED.username, LOCKED.password)).code, 'OKTA_LOCKED_OUT');
    assert.equal((await refused(EXPIRED.username, EXPIRED.password)).code, 'OKTA_PASSWORD_EXPIRED');
    const wrongPassword = testSecret('okta-wrong-pw');
    PASSWORDS.push(wrongPassword);
    const wrong = await refused(USER.username, wrongPassword);
    assert.deepEqual([wrong.code, wrong.status, wrong.oauthError], ['OKTA_INVALID_CREDENTIALS', 401, 'E0000004']);
    const busy = await refused(BUSY.username, BUSY.password);
    assert.deepEqual([busy.code, busy.status], ['OKTA_RATE_LIMITED', 429]);
    assert.match(busy.message, /wait 42 s/, 'Retry-After is read');

    assert.equal(failed.length, 5, 'each failure announced to every front');
    assert.equal(value(w, await w.desk.api.listSessions()).length, 0, 'no session came of any');
    assert.equal((await oktaIssued(idp.issuer)).redemptions.length, before, 'no authorization request was made');
    const counts = await idp.counts();
    assert.equal(counts['authorization'], undefined);
    assert.equal(counts['token:authorization_code'], undefined);
    // No password is taken for nothing: none given, nothing sent.
    assert.equal(failure(w, await w.desk.api.startSignIn({ profile: 'okta', username: USER.username })).code, 'USAGE');
    await assertNothingSecret(w, []);
  } finally {
    w.desk.close();
  }
});

test('a session token used already: Okta answers login_required on the redirect, no token request, no session', { timeout: 90_000 }, async () => {
  const w = await open();
  try {
    await addProfile(w, 'okta');
    const first = done(value(w, await w.desk.api.startSignIn({ profile: 'okta', username: REPLAY.username, password: REPLAY.password }))).session;
    recordSecrets(value(w, await w.desk.api.revealToken({ sessionId: first.id, type: 'access' })).value);
    await idp.resetCounts();
    const replayed = failure(w, await w.desk.api.startSignIn({ profile: 'okta', username: REPLAY.username, password: REPLAY.password }));
    assert.deepEqual([replayed.code, replayed.oauthError], ['AUTHORIZATION_ERROR', 'login_required']);
    assert.match(replayed.message, /session token works once/);
    const issued = await oktaIssued(idp.issuer);
    assert.deepEqual(issued.redemptions.at(-1), { valid: false, prompt: 'none' }, 'the stand-in refused the used token');
    assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no token request');
    assert.deepEqual(value(w, await w.desk.api.listSessions()).map((s) => s.id), [first.id], 'only the first sign-in\'s session');
    await assertNothingSecret(w, [first.id]);
  } finally {
    w.desk.close();
  }
});

test('error=access_denied on the redirect (a user not assigned to the app): SIGN_IN_CANCELLED in words for this flow, no token request', { timeout: 90_000 }, async () => {
  const w = await open();
  try {
    await addProfile(w, 'okta');
    await idp.resetCounts();
    const denied = failure(w, await w.desk.api.startSignIn({ profile: 'okta', username: UNASSIGNED.username, password: UNASSIGNED.password }));
    assert.deepEqual([denied.code, denied.oauthError], ['SIGN_IN_CANCELLED', 'access_denied']);
    assert.match(denied.message, /not be assigned to the app/);
    assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no token request');
    assert.equal(value(w, await w.desk.api.listSessions()).length, 0);
    await assertNothingSecret(w, []);
  } finally {
    w.desk.close();
  }
});

test('a redirect elsewhere than the profile\'s redirect URI, or with another state: refused before any token request', { timeout: 90_000 }, async () => {
  const w = await open();
  try {
    await addProfile(w, 'okta');
    await idp.resetCounts();
    const foreign = failure(w, await w.desk.api.startSignIn({ profile: 'okta', username: FOREIGN.username, password: FOREIGN.password }));
    assert.equal(foreign.code, 'CALLBACK_INVALID');
    const wrongState = failure(w, await w.desk.api.startSignIn({ profile: 'okta', username: WRONG_STATE.username, password: WRONG_STATE.password }));
    assert.equal(wrongState.code, 'CALLBACK_STATE_UNKNOWN');
    const counts = await idp.counts();
    assert.equal(counts['authorization'], 2, 'both authorization requests reached the provider and got a code');
    assert.equal(counts['token:authorization_code'], undefined, 'neither code was exchanged');
    assert.equal(value(w, await w.desk.api.listSessions()).length, 0);
    await assertNothingSecret(w, []);
  } finally {
    w.desk.close();
  }
});

test('a profile of the flow: a public client only; no client secret can be set for it', async () => {
  const w = await open();
  try {
    assert.equal(failure(w, await w.desk.api.addProfile({ profile: { ...PROFILE, name: 'x', issuer: idp.issuer, clientAuth: 'client_secret_basic' } })).code, 'PROFILE_INVALID');
    await addProfile(w, 'okta');
    const secret = testSecret('okta-secret');
    const refused = failure(w, await w.desk.api.setClientSecret({ profile: 'okta', secret }));
    assert.ok(['USAGE', 'PROFILE_INVALID'].includes(refused.code), refused.code);
    assert.ok(!JSON.stringify(w.seen).includes(secret));
  } finally {
    w.desk.close();
  }
});

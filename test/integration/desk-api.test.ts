/**
 * The API every front calls, through openDesk(), against the real local provider, a real browser and the
 * real keychain: every operation answers a Result of plain data (a structured-clone round trip gives it
 * back unchanged), sign-in outcomes arrive as events, a callback is delivered by the host, and no result
 * or event ever carries the refresh token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, Result, SignInStart } from '../../src-main/core/contract.ts';
import { openDesk } from '../../src-main/core/desk.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { nextEvent } from '../harness/sign-in-outcome.ts';

const { idp, browser } = useLocalProvider();

function keychain(): SecretStore {
  if (process.env['OIDC_DESK_TEST_KEYRING'] === '1') return new KeytarSecretStore({ service: `OIDC Desk api test ${process.pid}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

/** Every result seen, to check for the refresh token at the end. */
const seen: unknown[] = [];

/** The result, after checking it is plain data: a structured clone is deeply equal (same prototypes, no functions). */
function plain<T>(result: Result<T>): Result<T> {
  assert.deepStrictEqual(structuredClone(result), result);
  seen.push(result);
  return result;
}

function value<T>(result: Result<T>): T {
  const r = plain(result);
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

test('every operation answers plain data; sign-in completes through an event; no refresh token anywhere', { timeout: 120_000 }, async () => {
  const secrets = keychain();
  const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-api-')), secrets });
  const events: DeskEvent[] = [];
  desk.api.subscribe((e) => void events.push(e));
  try {
    const profile = value(await desk.api.addProfile({ profile: { name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', extraParams: { prompt: 'consent' } } }));
    assert.equal(profile.redirect, 'app-scheme');
    value(await desk.api.updateProfile({ name: 'local', profile: { ...profile, scopes: 'openid profile email offline_access' } }));
    assert.equal(value(await desk.api.listProfiles()).length, 1);

    const started = value(await desk.api.startSignIn({ profile: 'local' })) as SignInStart;
    assert.ok(started.expiresAt > Date.now());
    const completed = nextEvent(desk, (e) => e.type === 'sign-in-completed' || e.type === 'sign-in-failed');
    const user = DEMO_USERS[0]!;
    const redirect = await browser.signIn(started.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: 'dev.oidcdesk:/callback' });
    recordSecrets(...redirectSecrets(redirect));
    assert.deepEqual(plain(await desk.deliverCallback(redirect)), { ok: true, value: null });
    const outcome = await completed;
    assert.equal(outcome.type, 'sign-in-completed');
    if (outcome.type !== 'sign-in-completed') return;
    assert.equal(outcome.flowId, started.flowId);
    const id = outcome.session.id;
    // A replayed callback finds nothing.
    const replay = plain(await desk.deliverCallback(redirect));
    assert.equal(replay.ok ? 'ok' : replay.error.code, 'CALLBACK_STATE_UNKNOWN');

    value(await desk.api.listSessions());
    value(await desk.api.getSession({ sessionId: id }));
    value(await desk.api.refreshSession({ sessionId: id }));
    value(await desk.api.getUserinfo({ sessionId: id }));
    value(await desk.api.introspectToken({ sessionId: id, token: 'access' }));
    const access = value(await desk.api.revealToken({ sessionId: id, type: 'access' }));
    const idToken = value(await desk.api.revealToken({ sessionId: id, type: 'id' }));
    recordSecrets(access.value, idToken.value);
    assert.equal(value(await desk.api.inspectJwt({ sessionId: id })).source, 'session');
    assert.equal(value(await desk.api.inspectJwt({ token: idToken.value })).profile, 'local');
    const check = value(await desk.api.checkProvider({ profile: 'local' }));
    assert.equal(check.features.find((f) => f.id === 'pkce-s256')?.status, 'supported');
    const timeline = value(await desk.api.sessionTimeline({ sessionId: id }));
    assert.ok(timeline.some((e) => e.url.includes('/token')), 'the sign-in\'s code exchange is in the session\'s timeline');
    const har = value(await desk.api.exportHar({ sessionId: id }));
    assert.equal(har.log.version, '1.2');
    assert.equal(har.log.entries.length, timeline.length);
    assert.ok(events.some((e) => e.type === 'timeline' && e.entry.context?.sessionId === id), 'timeline entries arrive as events');
    assert.ok(events.some((e) => e.type === 'sign-in-started' && e.flowId === started.flowId));
    value(await desk.api.keychainStatus());
    assert.deepEqual(value(await desk.api.startupProblems()), []);
    assert.deepEqual(value(await desk.api.demoProvider()), { running: false, issuer: null, pid: null });

    // Failures are plain data too, with a stable code.
    const missing = plain(await desk.api.getSession({ sessionId: 's-00000000' }));
    assert.equal(missing.ok ? '' : missing.error.code, 'SESSION_NOT_FOUND');
    const malformed = plain(await desk.api.getSession({ sessionId: 42 } as never));
    assert.equal(malformed.ok ? '' : malformed.error.code, 'USAGE');

    // A second sign-in, cancelled: the outcome event says so.
    const second = value(await desk.api.startSignIn({ profile: 'local' }));
    const cancelled = nextEvent(desk, (e) => e.type === 'sign-in-failed' && e.flowId === second.flowId);
    value(await desk.api.cancelSignIn({ flowId: second.flowId }));
    const failed = await cancelled;
    assert.equal(failed.type === 'sign-in-failed' ? failed.error.code : '', 'SIGN_IN_CANCELLED');

    value(await desk.api.revokeToken({ sessionId: id, token: 'access' }));
    const read = await secrets.get(id);
    assert.equal(read.kind, 'found');
    const refreshToken = read.kind === 'found' ? read.secret.refreshToken : '';
    recordSecrets(refreshToken);
    const out = value(await desk.api.signOut({ sessionId: id }));
    assert.equal(out.revoked, true);

    for (const event of events) assert.deepStrictEqual(structuredClone(event), event);
    const everything = JSON.stringify([seen, events]);
    assert.ok(refreshToken.length > 0 && !everything.includes(refreshToken), 'no result or event carries the refresh token');
    for (const secret of [access.value, idToken.value, ...redirectSecrets(redirect)]) {
      assert.ok(!JSON.stringify([timeline, har]).includes(secret), 'the timeline and its HAR export are masked');
    }
  } finally {
    desk.close();
  }
});

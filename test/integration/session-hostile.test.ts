/**
 * Session cases that need a provider that misbehaves: userinfo about another subject, a refreshed ID
 * token for another subject, and refresh failures that must keep the refresh token (network, 503).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import { DeskError } from '../../src-main/core/errors.ts';
import { refreshedBody, setup } from '../harness/hostile-session.ts';

test('userinfo whose sub differs from the ID token is refused', async () => {
  const { idp, service, view } = await setup(() => ({ status: 500 }), { userinfo: () => ({ json: { sub: 'mallory', email: 'm@example.com' } }) });
  try {
    await assert.rejects(service.userinfo(view.id), { code: 'USERINFO_SUB_MISMATCH' });
  } finally {
    await idp.stop();
  }
});

test('a refreshed ID token for another subject is refused; the stored session stays as it was', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, { sub: 'mallory' }));
  try {
    const before = await secrets.get(view.id);
    await assert.rejects(service.refresh(view.id), { code: 'ID_TOKEN_CLAIMS_CHANGED' });
    const after = service.view(view.id);
    assert.equal(after.subject, 'alice');
    assert.equal(after.accessToken?.fingerprint, view.accessToken?.fingerprint, 'the access token from the refused response is not used');
    assert.deepEqual(await secrets.get(view.id), before, 'the refresh token from the refused response is not stored');
  } finally {
    await idp.stop();
  }
});

test('a refreshed ID token with another auth_time is refused too', async () => {
  const { idp, service, view } = await setup((self) => refreshedBody(self, { auth_time: 2000 }));
  try {
    await assert.rejects(service.refresh(view.id), { code: 'ID_TOKEN_CLAIMS_CHANGED' });
  } finally {
    await idp.stop();
  }
});

test('rotation: the new refresh token replaces the old one; a response without one keeps the old', async () => {
  let withRotation = true;
  const { idp, service, secrets, view } = await setup(async (self, form) => {
    assert.equal(form.get('refresh_token'), withRotation ? 'rt-0-abcdefgh' : 'rt-rotated-abcdefgh', 'the old token is never sent again');
    const body = await refreshedBody(self, {});
    if (!withRotation) delete (body.json as Record<string, unknown>).refresh_token;
    return body;
  });
  try {
    await service.refresh(view.id);
    const stored = await secrets.get(view.id);
    assert.equal(stored.kind === 'found' && stored.secret.refreshToken, 'rt-rotated-abcdefgh');
    withRotation = false;
    await service.refresh(view.id);
    const kept = await secrets.get(view.id);
    assert.equal(kept.kind === 'found' && kept.secret.refreshToken, 'rt-rotated-abcdefgh');
  } finally {
    await idp.stop();
  }
});

test('503 and network errors keep the refresh token and plan a retry with backoff', async () => {
  let mode: 'down' | 'hang' = 'down';
  const { idp, service, secrets, view } = await setup(() => (mode === 'down' ? { status: 503, json: { error: 'temporarily_unavailable' } } : 'hang'));
  try {
    await assert.rejects(service.refresh(view.id), { code: 'HTTP_STATUS', status: 503 });
    assert.equal(service.view(view.id).status, 'active', 'not "sign-in needed"');
    assert.equal((await secrets.get(view.id)).kind, 'found');
    const first = service.nextRefresh(view.id);
    mode = 'hang';
    await assert.rejects(service.refresh(view.id), { code: 'HTTP_TIMEOUT' });
    const second = service.nextRefresh(view.id);
    assert.equal(first?.attempt, 1);
    assert.equal(second?.attempt, 2, 'each failure backs off further');
    assert.equal((await secrets.get(view.id)).kind, 'found');
  } finally {
    await idp.stop();
  }
});

test('userinfo: 401 invalid_token refreshes once and retries once', async () => {
  let calls = 0;
  const { idp, service, view } = await setup((self) => refreshedBody(self, {}), {
    userinfo: (authorization) => {
      calls += 1;
      if (authorization === 'Bearer at-initial-0123456789') return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, body: '' };
      return { json: { sub: 'alice', email: 'alice@example.com' } };
    },
  });
  try {
    const info = await service.userinfo(view.id);
    assert.equal(info.claims.sub, 'alice');
    assert.equal(calls, 2);
    assert.equal(idp.counts['/token'], 2, 'the sign-in and exactly one refresh');
  } finally {
    await idp.stop();
  }
});

test('sign-out while the provider is unreachable: local sign-out completes, revocation is owed and retried later', async () => {
  let reachable = false;
  const revoked: string[] = [];
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}), {
    revocation: (form) => {
      if (!reachable) return 'hang';
      revoked.push(form.get('token') ?? '');
      return { status: 200, body: '' };
    },
  });
  try {
    const out = await service.signOut(view.id);
    assert.equal(out.revoked, false);
    assert.equal(out.revocationPending, true);
    assert.throws(() => service.view(view.id), { code: 'SESSION_NOT_FOUND' });
    assert.equal((await secrets.get(view.id)).kind, 'absent', 'the session entry was deleted first');
    const index = JSON.parse(await readFile(join(service.dataDir, 'sessions.json'), 'utf8')) as { revocations: { account: string }[] };
    const account = index.revocations[0]?.account ?? '';
    assert.match(account, new RegExp(`^revoke\\.${view.id}\\.`));
    assert.equal((await secrets.get(account)).kind, 'found', 'the token to revoke waits in the keychain only');
    reachable = true;
    assert.equal((await service.retryRevocations()).pending, 0);
    assert.deepEqual(revoked, ['rt-0-abcdefgh']);
    assert.equal((await secrets.get(account)).kind, 'absent');
  } finally {
    await idp.stop();
  }
});

test('the keychain refuses the rotated token: the old entry is never used again, fronts are told', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}));
  try {
    const events: string[] = [];
    service.subscribe((e) => void events.push(e.type === 'keychain' ? `keychain:${e.keychain.state}` : e.type));
    // The keychain read works, the write of the rotated token does not (a keyring that stops answering).
    const realSet = secrets.set.bind(secrets);
    secrets.set = async () => {
      throw new DeskError('KEYCHAIN_TIMEOUT', 'The keychain did not answer within 5 s.');
    };
    const after = await service.refresh(view.id);
    secrets.set = realSet;
    assert.equal(after.status, 'session-only', 'the new refresh token is kept in memory');
    assert.ok(events.includes('keychain:unavailable'));
    assert.equal((await secrets.get(view.id)).kind, 'absent', 'the rotated-out token was removed from the keychain');
    assert.equal((await service.refresh(view.id)).status, 'session-only', 'this process goes on with the token in memory');
    // Another process (same data directory and keychain) must not send the rotated-out token.
    const other = await SessionService.open({ dataDir: service.dataDir, secrets, fetch: createHttpClient(), now: Date.now });
    const before = idp.counts['/token'];
    await assert.rejects(other.refresh(view.id), { code: 'SIGN_IN_NEEDED' });
    assert.equal(idp.counts['/token'], before, 'no token request with the old refresh token');
  } finally {
    await idp.stop();
  }
});

test('refreshing a session that is gone rejects (never throws synchronously into a timer)', async () => {
  const { idp, service } = await setup((self) => refreshedBody(self, {}));
  try {
    await assert.rejects(service.refresh('s-gone'), { code: 'SESSION_NOT_FOUND' });
  } finally {
    await idp.stop();
  }
});

/**
 * What a refresh answer means for a session, against a misbehaving provider: only an OAuth
 * `invalid_grant` ends a session; an answer that is not OAuth (a proxy's 401, an empty 400, an HTML page)
 * keeps the refresh token and shows the session as failing, with no retry loop; a refresh without an
 * ID token keeps the sign-in's; OIDC Core §12.2 holds in a new process for providers that send `azp`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import { anotherProcess, refreshedBody, setup } from '../harness/hostile-session.ts';

test('a provider that puts azp in every ID token: the first refresh in a new process keeps the session (with and without the token cache)', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, { azp: 'oidc-desk' }), { signInClaims: { azp: 'oidc-desk' } });
  try {
    const next = await anotherProcess(service, secrets);
    assert.equal((await next.refresh(view.id)).status, 'active');
    // Without the cached ID token, the claims kept in the index must carry everything §12.2 compares.
    await rm(join(service.dataDir, 'tokens'), { recursive: true, force: true });
    const third = await anotherProcess(service, secrets);
    assert.equal((await third.refresh(view.id)).status, 'active');
  } finally {
    await idp.stop();
  }
});

test('a refreshed ID token that gained an azp the sign-in did not have is still refused in a new process', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, { azp: 'oidc-desk' }));
  try {
    await rm(join(service.dataDir, 'tokens'), { recursive: true, force: true });
    const next = await anotherProcess(service, secrets);
    await assert.rejects(next.refresh(view.id), { code: 'ID_TOKEN_CLAIMS_CHANGED' });
  } finally {
    await idp.stop();
  }
});

test('a 401 with a proxy\'s Basic challenge and no OAuth error keeps the refresh token', async () => {
  const { idp, service, secrets, view } = await setup(() => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="corporate proxy"' }, body: '' }));
  try {
    await assert.rejects(service.refresh(view.id), { code: 'TOKEN_ENDPOINT_REFUSED', status: 401 });
    assert.equal((await secrets.get(view.id)).kind, 'found', 'the refresh token is kept');
    assert.notEqual(service.view(view.id).status, 'sign-in-needed');
  } finally {
    await idp.stop();
  }
});

test('an OAuth error sent with a WWW-Authenticate challenge is read from the body (invalid_grant ends the session)', async () => {
  const { idp, service, secrets, view } = await setup(() => ({ status: 400, headers: { 'www-authenticate': 'Basic realm="x"' }, json: { error: 'invalid_grant' } }));
  try {
    await assert.rejects(service.refresh(view.id), { code: 'SIGN_IN_NEEDED' });
    assert.equal((await secrets.get(view.id)).kind, 'absent');
  } finally {
    await idp.stop();
  }
});

for (const [name, reply] of [
  ['an empty 400', { status: 400, body: '' }],
  ['an HTML page', { status: 403, body: '<html><title>Blocked</title><body>Request blocked by policy. Ref rt-0-abcdefgh-0123456789abcdef</body></html>' }],
  ['a 401 Basic challenge', { status: 401, headers: { 'www-authenticate': 'Basic realm="proxy"' }, body: 'denied' }],
] as const) {
  test(`${name} from the token endpoint: the session shows its refresh failing (status, masked excerpt), keeps its token, and nothing retries`, async () => {
    const { idp, service, secrets, view } = await setup(() => reply);
    try {
      const error = await service.refresh(view.id).then(() => undefined, (e: unknown) => e);
      assert.equal((error as { code?: string }).code, 'TOKEN_ENDPOINT_REFUSED');
      assert.ok(!String((error as Error).message).includes('rt-0-abcdefgh'), 'no token-like text from the body is repeated');
      assert.equal((await secrets.get(view.id)).kind, 'found', 'the token is not deleted: the answer may come from a proxy');
      const shown = service.view(view.id);
      assert.equal(shown.status, 'refresh-failing');
      assert.equal(shown.lastError?.status, reply.status);
      assert.equal(service.nextRefresh(view.id), undefined, 'the scheduler does not retry it');
      // Every process sees it; using the session does not hit the provider again.
      const other = await anotherProcess(service, secrets);
      assert.equal(other.view(view.id).status, 'refresh-failing');
      assert.equal(other.view(view.id).lastError?.code, 'TOKEN_ENDPOINT_REFUSED');
      const before = idp.counts['/token'];
      await assert.rejects(other.accessToken(view.id, 10_000), { code: 'REFRESH_FAILING' });
      await assert.rejects(other.idToken(view.id).then(() => other.accessToken(view.id, 10_000)), { code: 'REFRESH_FAILING' });
      assert.equal(idp.counts['/token'], before, 'no request: only an explicit refresh tries again');
      await assert.rejects(other.refresh(view.id), { code: 'TOKEN_ENDPOINT_REFUSED' });
      assert.equal(idp.counts['/token'], (before ?? 0) + 1, 'an explicit refresh tries exactly once');
    } finally {
      await idp.stop();
    }
  });
}

test('a session whose refresh failed is whole again after a successful refresh', async () => {
  let broken = true;
  const { idp, service, view } = await setup(async (self) => (broken ? { status: 400, body: '' } : refreshedBody(self, {})));
  try {
    await assert.rejects(service.refresh(view.id), { code: 'TOKEN_ENDPOINT_REFUSED' });
    assert.equal(service.view(view.id).status, 'refresh-failing');
    broken = false;
    const after = await service.refresh(view.id);
    assert.equal(after.status, 'active');
    assert.equal(after.lastError, undefined);
  } finally {
    await idp.stop();
  }
});

test('a refresh without an ID token keeps the sign-in\'s, in this process and in every later one', async () => {
  const { idp, service, secrets, view } = await setup(async (self) => {
    const body = await refreshedBody(self, {});
    delete (body.json as Record<string, unknown>).id_token;
    return body;
  });
  try {
    const signedIn = await service.idToken(view.id);
    await service.refresh(view.id);
    assert.equal(await service.idToken(view.id), signedIn);
    assert.equal(service.view(view.id).idToken?.claims['sub'], 'alice');
    const next = await anotherProcess(service, secrets);
    assert.equal(await next.idToken(view.id), signedIn, 'a new process reads it from the token cache');
    await next.refresh(view.id);
    assert.equal(await next.idToken(view.id), signedIn, 'and keeps it across its own refresh');
    const third = await anotherProcess(service, secrets);
    assert.equal(await third.idToken(view.id), signedIn);
    // Without the cache the ID token is gone, but the message is not "the provider sent none".
    await rm(join(service.dataDir, 'tokens'), { recursive: true, force: true });
    const fourth = await anotherProcess(service, secrets);
    await assert.rejects(fourth.idToken(view.id), { code: 'ID_TOKEN_UNAVAILABLE' });
  } finally {
    await idp.stop();
  }
});

for (const [name, reply] of [
  ['a JSON body', (rt: string) => ({ status: 400, json: { detail: `refresh token ${rt} not accepted` } })],
  ['a form body', (rt: string) => ({ status: 400, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `detail=${rt}` })],
  ['an error_description', (rt: string) => ({ status: 400, json: { error: 'invalid_request', error_description: `bad token ${rt}` } })],
  ['a token-like run of another token', () => ({ status: 400, json: { error: 'invalid_request', error_description: 'session eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ expired' } })],
] as const) {
  test(`a refusal that echoes the refresh token in ${name}: the token reaches no message, no view and no file`, async () => {
    const { idp, service, secrets, view } = await setup((_self, form) => reply(form.get('refresh_token') ?? ''));
    try {
      const sent = 'rt-0-abcdefgh';
      const error = await service.refresh(view.id).then(() => undefined, (e: unknown) => e as Error & { oauthErrorDescription?: string });
      assert.ok(error !== undefined);
      for (const text of [error.message, error.oauthErrorDescription ?? '', JSON.stringify(service.view(view.id)), await readFile(join(service.dataDir, 'sessions.json'), 'utf8')]) {
        assert.ok(!text.includes(sent), `the refresh token is masked: ${text.slice(0, 200)}`);
        assert.ok(!text.includes('c2lnbmF0dXJlLXNpZ25hdHVyZQ'), 'token-like text from the provider is masked');
      }
      assert.equal((await anotherProcess(service, secrets)).view(view.id).status, 'refresh-failing');
    } finally {
      await idp.stop();
    }
  });
}

test('a provider that cannot be reached for discovery: the refresh token is kept and a retry is planned', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}));
  const dataDir = service.dataDir;
  await idp.stop();
  const next = await anotherProcess({ dataDir } as never, secrets);
  await assert.rejects(next.refresh(view.id), (e: unknown) => (e as { code?: string }).code === 'HTTP_NETWORK');
  assert.equal(next.nextRefresh(view.id)?.attempt, 1, 'backing off, not given up');
  assert.equal(next.view(view.id).lastError?.code, 'HTTP_NETWORK');
  assert.equal((await secrets.get(view.id)).kind, 'found');
});

test('a scheduler in another process never refreshes a session whose refresh is failing', async () => {
  const { idp, service, secrets, view } = await setup(() => ({ status: 400, body: '' }));
  try {
    await assert.rejects(service.refresh(view.id), { code: 'TOKEN_ENDPOINT_REFUSED' });
    const before = idp.counts['/token'];
    const other = await anotherProcess(service, secrets);
    // What its scheduler would do shortly before expiry: refresh unless another process already did.
    await assert.rejects(other.idToken(view.id).then(() => other.accessToken(view.id, 10 * 60)), { code: 'REFRESH_FAILING' });
    assert.equal(idp.counts['/token'], before);
  } finally {
    await idp.stop();
  }
});

test('an expired ID token: idToken refreshes once for a new one; when the provider sends none, the old one is kept and inspect shows it expired as a warning', async () => {
  let clock = Date.now();
  const { idp, service, secrets, view } = await setup(async (self) => {
    const body = await refreshedBody(self, {});
    delete (body.json as Record<string, unknown>).id_token;
    return body;
  });
  try {
    const signedIn = await service.idToken(view.id);
    const later = await SessionService.open({ dataDir: service.dataDir, secrets, fetch: createHttpClient({ timeoutMs: 2000 }), now: () => clock, random: () => 0 });
    clock += 3600_000;
    const before = idp.counts['/token'] ?? 0;
    assert.equal(await later.idToken(view.id), signedIn, 'the provider sent none: the sign-in\'s is kept');
    assert.equal(idp.counts['/token'], before + 1, 'one refresh was tried for a new ID token');
    const inspection = await later.inspect(view.id);
    const exp = inspection.report.checks.find((c) => c.id === 'exp');
    assert.equal(exp?.result, 'warn', 'expired since it was received: shown, not passed');
    assert.equal(inspection.report.valid, true);
  } finally {
    await idp.stop();
  }
});

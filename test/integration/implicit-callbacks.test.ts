/**
 * A callback carrying tokens in the URL (an implicit or hybrid response: access_token, id_token,
 * token_type, in the query or in the fragment of a custom-scheme deep link) is refused through the
 * router, its sign-in fails, and no token request is ever made: against the local oidc-provider with a
 * real code from Chromium, and for every combination against a provider that counts token requests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SignInEngine } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { startHostileIdp, type HostileIdp } from '../harness/hostile-idp.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const TOKEN_PARAMS = ['access_token', 'id_token', 'token_type'] as const;
const { idp, browser } = useLocalProvider();
let hostile: HostileIdp;

before(async () => {
  hostile = await startHostileIdp({ token: () => ({ status: 500, body: 'no token request is expected' }) });
});

after(async () => {
  await hostile?.stop();
});

test('local oidc-provider: a real code with an access_token or id_token added (query or fragment) is refused; no token request', async () => {
  const alice = DEMO_USERS[0]!;
  const cases = [['access_token', 'query'], ['id_token', 'fragment']] as const;
  for (const [name, where] of cases) {
    await idp.resetCounts();
    const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
    const started = await engine.start(parseProfile({ name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid' }));
    const redirect = await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: 'dev.oidcdesk:/callback' });
    recordSecrets(...redirectSecrets(redirect));
    const injected = where === 'query' ? `${redirect}&${name}=injected-token-0123456789` : `${redirect}#${name}=injected-token-0123456789`;
    await assert.rejects(engine.router.handle(injected), { code: 'CALLBACK_INVALID' }, `${name} in the ${where}`);
    await assert.rejects(started.result, { code: 'CALLBACK_INVALID' });
    assert.equal((await idp.counts())['token:authorization_code'], undefined, `${name} in the ${where}: no token request`);
    await assert.rejects(engine.router.handle(redirect), { code: 'CALLBACK_STATE_UNKNOWN' }, 'the flow is gone: the clean callback finds nothing');
    assert.equal((await idp.counts())['token:authorization_code'], undefined);
  }
});

test('every token parameter, in the query, in the fragment, or only in the fragment: refused, sign-in failed, no token request', async () => {
  for (const name of TOKEN_PARAMS) {
    for (const where of ['query', 'fragment', 'fragment-only'] as const) {
      const engine = new SignInEngine({ fetch: createHttpClient({ timeoutMs: 5000 }), now: Date.now });
      const started = await engine.start(parseProfile({ name: 'h', issuer: hostile.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid' }));
      const state = new URL(started.authorizationUrl).searchParams.get('state') ?? '';
      const iss = encodeURIComponent(hostile.issuer);
      const url = where === 'query'
        ? `dev.oidcdesk:/callback?code=code-1&state=${state}&iss=${iss}&${name}=X`
        : where === 'fragment'
          ? `dev.oidcdesk:/callback?code=code-1&state=${state}&iss=${iss}#${name}=X`
          : `dev.oidcdesk:/callback#${name}=X&state=${state}&iss=${iss}`;
      await assert.rejects(engine.router.handle(url), { code: 'CALLBACK_INVALID' }, `${name} in the ${where}`);
      await assert.rejects(started.result, { code: 'CALLBACK_INVALID' }, `${name} in the ${where}: the sign-in fails`);
      assert.equal(engine.pendingCount, 0);
    }
  }
  assert.equal(hostile.counts['/token'], undefined, 'no token request was ever made');
});

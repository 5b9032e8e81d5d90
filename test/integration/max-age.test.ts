/**
 * `max_age` (OIDC Core §3.1.3.7 item 13): when the authorization request carries it, the ID token must
 * carry an `auth_time` no older than max_age plus the clock leeway, or the sign-in is refused with the
 * verification report's code. Against the local oidc-provider (which honours max_age) through Chromium,
 * and against a misbehaving provider that omits auth_time or sends an old one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import type { AuthorizationOptions } from '../../src-main/core/oauth/authorize.ts';
import { CLOCK_SKEW_SECONDS } from '../../src-main/core/oauth/provider-context.ts';
import { SignInEngine, type SignInResult } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { startHostileIdp, type HostileIdp } from '../harness/hostile-idp.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const alice = DEMO_USERS[0]!;
const { idp, browser } = useLocalProvider();

function authTimeCheck(result: SignInResult): string | undefined {
  const report = result.tokens.idTokenReport;
  return report?.kind === 'jwt' ? report.checks.find((c) => c.id === 'auth_time')?.result : undefined;
}

/** A loopback sign-in to the local oidc-provider through Chromium. */
async function realSignIn(extraParams: Record<string, string>, options: AuthorizationOptions): Promise<{ result: SignInResult; authorizationUrl: URL }> {
  const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
  const profile = parseProfile({ name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid profile', redirect: 'loopback', extraParams });
  const started = await engine.start(profile, options);
  try {
    recordSecrets(...redirectSecrets(await browser.signIn(started.authorizationUrl, { username: alice.username, password: alice.password, redirectPrefix: started.redirectUri })));
    const result = await started.result;
    recordSecrets(result.tokens.accessToken, result.tokens.idToken, result.tokens.refreshToken);
    return { result, authorizationUrl: new URL(started.authorizationUrl) };
  } finally {
    started.cancel();
  }
}

test('local oidc-provider: max_age from the sign-in options or from the profile is sent, and auth_time is checked and passes', async () => {
  const viaOptions = await realSignIn({}, { maxAge: 300 });
  assert.equal(viaOptions.authorizationUrl.searchParams.get('max_age'), '300');
  assert.equal(typeof viaOptions.result.tokens.idTokenClaims?.['auth_time'], 'number', 'oidc-provider sends auth_time for max_age');
  assert.equal(authTimeCheck(viaOptions.result), 'pass');

  const viaProfile = await realSignIn({ max_age: '0' }, {});
  assert.equal(viaProfile.authorizationUrl.searchParams.get('max_age'), '0');
  assert.equal(authTimeCheck(viaProfile.result), 'pass', 'a fresh login satisfies max_age=0 within the leeway');

  const without = await realSignIn({}, {});
  assert.equal(without.authorizationUrl.searchParams.has('max_age'), false);
  assert.notEqual(authTimeCheck(without.result), 'pass', 'without max_age the check is not applied');
});

/** A sign-in against a hostile provider whose ID token carries `authTime` (seconds ago; undefined = no claim). */
async function hostileSignIn(authTimeAgo: number | undefined, options: AuthorizationOptions, extraParams: Record<string, string> = {}): Promise<{ outcome: Promise<SignInResult>; hostile: HostileIdp }> {
  let nonce = '';
  const hostile = await startHostileIdp({
    token: async (_form, h) => ({
      json: {
        access_token: 'at-opaque-max-age-0123456789',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await h.signIdToken({ sub: 'alice', nonce, ...(authTimeAgo === undefined ? {} : { auth_time: Math.floor(Date.now() / 1000) - authTimeAgo }) }),
      },
    }),
  });
  const engine = new SignInEngine({ fetch: createHttpClient({ timeoutMs: 5000 }), now: Date.now });
  const profile = parseProfile({ name: 'h', issuer: hostile.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid', extraParams });
  const started = await engine.start(profile, options);
  const auth = new URL(started.authorizationUrl);
  nonce = auth.searchParams.get('nonce') ?? '';
  const outcome = engine.router.handle(`dev.oidcdesk:/callback?code=code-123&state=${auth.searchParams.get('state')}&iss=${encodeURIComponent(hostile.issuer)}`).then(() => started.result);
  outcome.catch(() => undefined);
  return { outcome, hostile };
}

async function expectOutcome(authTimeAgo: number | undefined, options: AuthorizationOptions, expected: 'accepted' | string, extraParams: Record<string, string> = {}): Promise<void> {
  const { outcome, hostile } = await hostileSignIn(authTimeAgo, options, extraParams);
  try {
    if (expected === 'accepted') await outcome;
    else await assert.rejects(outcome, { code: expected });
    assert.equal(hostile.counts['/token'], 1);
  } finally {
    await hostile.stop();
  }
}

test('hostile provider: max_age requested and auth_time missing is refused; without max_age the same token is accepted', async () => {
  await expectOutcome(undefined, {}, 'accepted');
  await expectOutcome(undefined, { maxAge: 300 }, 'ID_TOKEN_INVALID');
  await expectOutcome(undefined, {}, 'ID_TOKEN_INVALID', { max_age: '300' });
});

test('hostile provider: auth_time older than max_age plus the leeway is refused; within it, accepted', async () => {
  const leeway = CLOCK_SKEW_SECONDS;
  await expectOutcome(3600, {}, 'accepted');
  await expectOutcome(3600, { maxAge: 300 }, 'ID_TOKEN_INVALID');
  await expectOutcome(3600, {}, 'ID_TOKEN_INVALID', { max_age: '300' });
  await expectOutcome(300 + leeway + 60, { maxAge: 300 }, 'ID_TOKEN_INVALID');
  await expectOutcome(300 + leeway - 30, { maxAge: 300 }, 'accepted');
  await expectOutcome(3600, { maxAge: 7200 }, 'accepted');
});

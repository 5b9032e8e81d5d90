/**
 * The implicit and hybrid flows' response in the fragment of a deep link, through the real OS hand-off
 * on Linux: headful Chromium on Xvfb redirected by the local provider to `dev.oidcdesk:/callback#...`,
 * xdg-open, the registered .desktop handler, `extractDeepLink` on its argv, the callback router: the
 * fragment arrives whole and the sign-in completes with its tokens verified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SignInEngine } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { FRONT_CHANNEL_CLIENT_ID, startFrontChannelIdp } from '../harness/front-channel-idp.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { handoffSkipReason, startHandoffEnvironment } from '../harness/xdg-handoff.ts';

const WAIT_MS = 30_000;
const skip = handoffSkipReason();

for (const [flow, responseType] of [['implicit', 'id_token token'], ['hybrid', 'code id_token']] as const) {
  test(`${flow} (${responseType}) through the OS: the fragment reaches the handler whole, and the sign-in completes`, { skip: skip ?? false, timeout: 120_000 }, async () => {
    const idp = await startFrontChannelIdp();
    const desk = await startHandoffEnvironment({ execForm: 'dash-dash' });
    try {
      const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
      const started = await engine.start(parseProfile({
        name: 'os', issuer: idp.issuer, clientId: FRONT_CHANNEL_CLIENT_ID, allowHttpLoopback: true, scopes: 'openid profile', flow, responseType,
      }));
      const browser = await desk.launchBrowser({ allowedOrigins: [idp.issuer] });
      const tab = browser.pages()[0] ?? await browser.newPage();
      tab.setDefaultTimeout(20_000);
      const link = desk.nextDeepLink(WAIT_MS);
      await tab.goto(started.authorizationUrl);
      const user = DEMO_USERS[0]!;
      await tab.locator('#username').fill(user.username);
      await tab.locator('#password').fill(user.password);
      await tab.locator('#login-submit').click();
      await tab.locator('#consent-approve').click();
      const url = await link;
      recordSecrets(...redirectSecrets(url));
      assert.ok(url.startsWith('dev.oidcdesk:/callback#'), 'the response is in the fragment, and the fragment came through');
      const fragment = new URLSearchParams(new URL(url).hash.slice(1));
      assert.equal(fragment.get('state'), new URL(started.authorizationUrl).searchParams.get('state'));
      assert.ok(fragment.has('id_token'));
      await engine.router.handle(url);
      const { tokens } = await started.result;
      recordSecrets(tokens.accessToken, tokens.idToken, tokens.refreshToken);
      assert.equal(tokens.idTokenClaims?.sub, user.sub);
      assert.equal(tokens.idTokenReport?.kind === 'jwt' && tokens.idTokenReport.valid, true);
      assert.equal((await idp.counts())['token:authorization_code'], flow === 'hybrid' ? 1 : undefined);
    } finally {
      await desk.stop();
      await idp.stop();
    }
  });
}

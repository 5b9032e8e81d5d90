/**
 * The local provider (oidc-provider as a child process, test/harness/idp.ts) and a Chromium agent
 * (test/harness/browser.ts) for one test file: started before its tests, stopped after them. Also a
 * session signed in through both, the way the desktop app receives it (custom-scheme redirect).
 */
import { after, before } from 'node:test';
import type { SessionView } from '../../src-main/core/contract.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import type { SessionService } from '../../src-main/core/session/session-service.ts';
import { openBrowser, type BrowserAgent } from './browser.ts';
import { DEMO_USERS, startTestIdp, type DemoUser, type TestIdp } from './idp.ts';
import { recordSecrets, redirectSecrets } from './secrets-ledger.ts';

/** The provider and the browser of a test file; usable inside its tests (after `before` ran). */
export interface LocalProvider {
  readonly idp: TestIdp;
  readonly browser: BrowserAgent;
  /**
   * Signs `user` (default alice) in through `service`: the local provider's profile with
   * `openid profile email offline_access` and `prompt=consent`, Chromium, the custom-scheme redirect
   * handed to the router. Resolves with the new session's view.
   */
  signedIn(service: SessionService, user?: DemoUser): Promise<SessionView>;
}

/**
 * Registers `before`/`after` hooks that start the local provider and Chromium for the calling test file
 * and stop both. The returned `idp` and `browser` stand for the running ones, so a file can take them
 * at its top level: `const { idp, browser } = useLocalProvider();`.
 */
export function useLocalProvider(): LocalProvider {
  let running: { idp: TestIdp; browser: BrowserAgent } | undefined;
  before(async () => {
    const idp = await startTestIdp();
    running = { idp, browser: await openBrowser().catch(async (error: unknown) => {
      await idp.stop();
      throw error;
    }) };
  });
  after(async () => {
    await running?.browser.close();
    await running?.idp.stop();
  });
  const current = (): { idp: TestIdp; browser: BrowserAgent } => {
    if (running === undefined) throw new Error('the local provider runs only inside the tests of the file that called useLocalProvider()');
    return running;
  };
  const idp: TestIdp = {
    get issuer() {
      return current().idp.issuer;
    },
    get port() {
      return current().idp.port;
    },
    counts: () => current().idp.counts(),
    resetCounts: () => current().idp.resetCounts(),
    stop: () => current().idp.stop(),
  };
  const browser: BrowserAgent = {
    signIn: (url, opts) => current().browser.signIn(url, opts),
    openAuthorization: (url, opts) => current().browser.openAuthorization(url, opts),
    close: () => current().browser.close(),
  };
  return {
    idp,
    browser,
    async signedIn(service, user = DEMO_USERS[0]!) {
      const profile = parseProfile({
        name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true,
        scopes: 'openid profile email offline_access', extraParams: { prompt: 'consent' },
      });
      const { started, session } = await service.signIn(profile);
      const redirect = await browser.signIn(started.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: 'dev.oidcdesk:/callback' });
      recordSecrets(...redirectSecrets(redirect));
      await service.engine.router.handle(redirect);
      return session;
    },
  };
}

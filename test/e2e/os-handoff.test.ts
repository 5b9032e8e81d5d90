import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { handoffSkipReason, startHandoffEnvironment } from '../harness/xdg-handoff.ts';
import type { ExecForm } from '../harness/xdg-handoff.ts';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SignInEngine } from '../../src-main/core/oauth/sign-in.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { DEMO_USERS, startTestIdp } from '../harness/idp.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const DEEP_LINK = 'dev.oidcdesk:/callback?code=abc&state=xyz';
const WAIT_MS = 30_000;
const skip = handoffSkipReason();

/** A page on 127.0.0.1 that redirects to the deep link, like a provider after login. */
async function startRedirectPage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/authorize') {
      res.writeHead(302, { location: DEEP_LINK, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { origin: `http://127.0.0.1:${address.port}`, server };
}

async function handoffThroughChromium(execForm: ExecForm): Promise<void> {
  const page = await startRedirectPage();
  const desk = await startHandoffEnvironment({ execForm });
  try {
    const entry = readFileSync(desk.desktopFile, 'utf8');
    assert.match(entry, /^MimeType=x-scheme-handler\/dev\.oidcdesk;$/m);
    assert.match(entry, execForm === 'dash-dash' ? / -- %u$/m : / %U$/m);

    const browser = await desk.launchBrowser({ allowedOrigins: [page.origin] });
    const tab = browser.pages()[0] ?? await browser.newPage();
    const handedOver = desk.nextHandoff(WAIT_MS);
    // The navigation ends in the external protocol (ERR_ABORTED); the result is what the handler got.
    await tab.goto(`${page.origin}/authorize`, { waitUntil: 'commit' }).catch(() => undefined);
    const handoff = await handedOver;

    assert.equal(handoff.deepLink, DEEP_LINK);
    // argv exactly as the packaged app gets it: the URL alone after `--`, or as the one plain argument.
    const tail = execForm === 'dash-dash' ? ['--', DEEP_LINK] : [DEEP_LINK];
    assert.deepEqual(handoff.argv.slice(-tail.length), tail);
    assert.equal(handoff.argv.filter((a) => a.startsWith('dev.oidcdesk:')).length, 1);
  } finally {
    await desk.stop();
    await new Promise<void>((resolve) => {
      page.server.close(() => resolve());
      page.server.closeAllConnections();
    });
  }
}

test('Chromium hands dev.oidcdesk: to the .desktop handler (Exec ... -- %u) and the app gets the exact URL', { skip: skip ?? false, timeout: 120_000 }, async () => {
  await handoffThroughChromium('dash-dash');
});

test('the electron-builder form (Exec ... %U) delivers the same URL', { skip: skip ?? false, timeout: 120_000 }, async () => {
  await handoffThroughChromium('plain');
});

test('xdg-open alone reaches the handler; an injected switch inside the URL never becomes an argument', { skip: skip ?? false, timeout: 60_000 }, async () => {
  const desk = await startHandoffEnvironment();
  try {
    assert.equal(await desk.xdgOpen(DEEP_LINK), 0);
    assert.equal(await desk.nextDeepLink(WAIT_MS), DEEP_LINK);
    // xdg-open passes the whole URL as one argument: an encoded quote-and-switch payload stays inside it.
    const encoded = 'dev.oidcdesk:/callback?code=abc%22%20--gpu-launcher=evil&state=xyz';
    assert.equal(await desk.xdgOpen(encoded), 0);
    const first = await desk.nextHandoff(WAIT_MS);
    assert.equal(first.deepLink, encoded);
    assert.deepEqual(first.argv.slice(-2), ['--', encoded]);
    // A raw one (CVE-2018-1000006 shape) is not split into a switch, and the app refuses it as a link.
    const raw = 'dev.oidcdesk:/callback?code=abc" --gpu-launcher=evil "&state=xyz';
    assert.equal(await desk.xdgOpen(raw), 0);
    const second = await desk.nextHandoff(WAIT_MS);
    assert.equal(second.deepLink, null);
    assert.deepEqual(second.argv.slice(-2), ['--', raw]);
    assert.ok(!second.argv.includes('--gpu-launcher=evil'));
  } finally {
    await desk.stop();
  }
});

test('full sign-in through the OS: provider pages in headful Chromium, xdg-open, the handler, the callback router, verified tokens', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const idp = await startTestIdp();
  const desk = await startHandoffEnvironment({ execForm: 'dash-dash' });
  try {
    const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
    const started = await engine.start(parseProfile({
      name: 'os', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid profile offline_access', extraParams: { prompt: 'consent' },
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
    assert.ok(url.startsWith('dev.oidcdesk:/callback?'));
    await engine.router.handle(url);
    const { tokens } = await started.result;
    recordSecrets(tokens.accessToken, tokens.idToken, tokens.refreshToken);
    assert.equal(tokens.idTokenClaims?.sub, user.sub);
    assert.equal(tokens.idTokenReport?.kind === 'jwt' && tokens.idTokenReport.valid, true);
    assert.equal((await idp.counts())['token:authorization_code'], 1);
  } finally {
    await desk.stop();
    await idp.stop();
  }
});

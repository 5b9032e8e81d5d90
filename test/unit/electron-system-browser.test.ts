/**
 * The desktop app's system browser: it opens only URLs the core produced for a flow in progress (a started
 * sign-in's authorization URL, seen by the IPC layer's hook), through a private redirect file handed to
 * `shell.openExternal` (the FAKE electron's, which records it: test/harness/fake-electron.ts), and forgets
 * them when the flow ends. Over a real desk and the local provider (no browser needed: nothing is signed in).
 */
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeskEvent, SignInStart } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { escapeHtml } from '../../src-main/core/util.ts';
import { SystemBrowser, browserHandoffHook, endFlowsOnEvents, isBrowserUrl } from '../../src-main/electron/system-browser.ts';
import { called, shell } from '../harness/fake-electron.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { serviceClient } from '../harness/service-clients.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

let idp: TestIdp;
let desk: Desk;
let tempDir: string;
before(async () => {
  idp = await startTestIdp();
  desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-sysbrowser-')), secrets: new MemorySecretStore() });
  tempDir = await mkdtemp(join(tmpdir(), 'oidc-desk-sysbrowser-tmp-'));
  const added = await desk.api.addProfile({ profile: { name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', scopes: 'openid' } });
  assert.ok(added.ok);
});
after(async () => {
  desk?.close();
  await idp?.stop();
});

/** Waits (no timing assertion: the test's own timeout bounds it) until `shell.openExternal` was called `count` times. */
async function openedTimes(count: number): Promise<string[]> {
  while (called('shell.openExternal').length < count) await new Promise((r) => setTimeout(r, 10));
  return called('shell.openExternal').map((args) => String(args[0]));
}

test('only https, or http on loopback for a profile that allows it, may go to a browser', () => {
  assert.equal(isBrowserUrl('https://idp.example/authorize?x=1', false), true);
  assert.equal(isBrowserUrl('http://127.0.0.1:8080/authorize', true), true);
  assert.equal(isBrowserUrl('http://[::1]:8080/authorize', true), true);
  assert.equal(isBrowserUrl('http://127.0.0.1:8080/authorize', false), false);
  for (const url of ['http://idp.example/authorize', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'https://user:pw@idp.example/', 'not a url', 42]) {
    assert.equal(isBrowserUrl(url, true), false, String(url));
  }
});

test('URLs the core did not produce are refused: nothing reaches the system opener', async () => {
  const browser = new SystemBrowser({ shell, tempDir });
  for (const url of ['https://idp.example/authorize?client_id=x', 'file:///etc/passwd', 'javascript:alert(document.cookie)', `${idp.issuer}/auth`]) {
    assert.equal(await browser.open(url), false, url);
  }
  assert.equal(browser.allow('file:///etc/passwd', 'f1', true), false, 'not even into the allow-set');
  assert.equal(browser.allow('javascript:alert(1)', 'f1', true), false);
  assert.equal(called('shell.openExternal').length, 0);
});

test('a started sign-in\'s authorization URL opens through a private redirect file, removed when the flow ends', { timeout: 60_000 }, async () => {
  const browser = new SystemBrowser({ shell, tempDir });
  const stop = endFlowsOnEvents(desk.api, browser);
  const hook = browserHandoffHook(desk.api, browser);
  try {
    const result = await hook('startSignIn', { profile: 'local' }, () => desk.api.startSignIn({ profile: 'local' }));
    assert.ok(result.ok);
    const started = result.value as SignInStart;
    const url = started.authorizationUrl;
    const [opened] = await openedTimes(1);
    assert.ok(opened !== undefined && opened.startsWith('file:'), 'the opener gets a file: URL');
    assert.ok(!opened.includes(new URL(url).searchParams.get('state') ?? 'state'), 'never the authorization URL (its state) in the opener\'s argument');
    const file = fileURLToPath(opened);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, 'utf8').includes(escapeHtml(url)), 'the file sends the browser on to the authorization URL');
    recordSecrets(new URL(url).searchParams.get('state'), new URL(url).searchParams.get('nonce'));

    // A link in the window to the same URL opens it again, through the same file.
    assert.equal(browser.isAllowed(url), true);
    assert.equal(await browser.open(url), true);
    assert.deepEqual(await openedTimes(2), [opened, opened]);

    const ended = new Promise<DeskEvent>((resolve) => {
      const off = desk.api.subscribe((e) => {
        if (e.type === 'sign-in-failed') {
          off();
          resolve(e);
        }
      });
    });
    assert.ok((await desk.api.cancelSignIn({ flowId: started.flowId })).ok);
    await ended;
    assert.equal(existsSync(file), false, 'the redirect file is removed when the sign-in ends');
    assert.equal(browser.isAllowed(url), false);
    assert.equal(await browser.open(url), false, 'an ended flow\'s URL is refused');
    assert.equal(called('shell.openExternal').length, 2);
  } finally {
    stop();
    browser.endAll();
  }
});

test('a sign-in that needs no browser (client credentials) opens nothing, and its result passes through unchanged', { timeout: 60_000 }, async () => {
  const secret = randomBytes(24).toString('base64url');
  recordSecrets(secret);
  const service = await startTestIdp({ clients: [serviceClient('svc', secret, 'client_secret_basic')], grants: { clientCredentials: true, apiScopes: ['api:read', 'api:write'] } });
  const keychain = new MemorySecretStore();
  Object.defineProperty(keychain, 'persistent', { value: true });
  const direct = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-sysbrowser-cc-')), secrets: keychain });
  const browser = new SystemBrowser({ shell, tempDir });
  try {
    assert.ok((await direct.api.addProfile({ profile: { name: 'svc', issuer: service.issuer, clientId: 'svc', allowHttpLoopback: true, flow: 'client_credentials', scopes: 'api:read' } })).ok);
    assert.ok((await direct.api.setClientSecret({ profile: 'svc', secret })).ok);
    const openedBefore = called('shell.openExternal').length;
    const result = await browserHandoffHook(direct.api, browser)('startSignIn', { profile: 'svc' }, () => direct.api.startSignIn({ profile: 'svc' }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.ok('session' in (result.value as object), 'the sign-in is done, with its session');
    assert.equal(called('shell.openExternal').length, openedBefore, 'no browser for a flow without one');
  } finally {
    browser.endAll();
    direct.close();
    await service.stop();
  }
});

/**
 * The scheme registry's Windows and macOS paths against a FAKE Electron `app` (a recording object, not
 * Electron: the binary cannot run here), the desktop entry's Exec quoting, and the self-test's nonce rules
 * with a fake opener. The Linux path and the self-test through the OS are tested for real in
 * test/e2e/scheme-registration-linux.test.ts and test/e2e/scheme-self-test.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createSchemeRegistry, desktopExecArgument, isSelfTestUrl, type ProtocolApp, type SchemeRegistryDeps,
} from '../../../src-main/electron/scheme-registration.ts';

const EXEC_PATH = 'C:\\Program Files\\OIDC Desk\\OIDC Desk.exe';
const APP_PATH = 'C:\\src\\oidc-desk';

/** A fake of what the registry uses of Electron's `app`: it records each registration as Windows would (program, args). */
class FakeApp implements ProtocolApp {
  readonly calls: { scheme: string; path: string | undefined; args: readonly string[] | undefined }[] = [];
  /** scheme -> the command registered for it, `path|args`. */
  readonly registry = new Map<string, string>();
  /** scheme -> the name of another application holding it. */
  readonly others = new Map<string, string>();
  refuse = new Set<string>();
  failQueries = false;

  setAsDefaultProtocolClient(scheme: string, path?: string, args?: string[]): boolean {
    this.calls.push({ scheme, path, args });
    if (this.refuse.has(scheme)) return false;
    this.registry.set(scheme, `${path}|${(args ?? []).join(' ')}`);
    this.others.delete(scheme);
    return true;
  }

  isDefaultProtocolClient(scheme: string, path?: string, args?: string[]): boolean {
    if (this.failQueries) throw new Error('registry unreadable');
    return this.registry.get(scheme) === `${path}|${(args ?? []).join(' ')}`;
  }

  getApplicationNameForProtocol(url: string): string {
    const scheme = url.slice(0, url.indexOf(':'));
    return this.others.get(scheme) ?? (this.registry.has(scheme) ? 'OIDC Desk' : '');
  }
}

function deps(app: FakeApp, overrides: Partial<SchemeRegistryDeps> = {}): SchemeRegistryDeps {
  return {
    platform: 'win32',
    app,
    openExternal: async () => assert.fail('no URL is opened here'),
    exec: async () => assert.fail('no command runs on Windows or macOS'),
    dataHome: '/nonexistent',
    command: [EXEC_PATH],
    ...overrides,
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.equal((e as { code?: unknown }).code, code);
    return true;
  });
}

test('Windows, packaged: each scheme registered as `"app.exe" -- "%1"` (the app scheme too); status yes with the handler', async () => {
  const app = new FakeApp();
  const registry = createSchemeRegistry(deps(app));
  assert.equal((await registry.status('com.okta.dev-123')).registered, 'no');
  await registry.register(['com.okta.dev-123']);
  assert.deepEqual(app.calls, [
    { scheme: 'dev.oidcdesk', path: EXEC_PATH, args: ['--'] },
    { scheme: 'com.okta.dev-123', path: EXEC_PATH, args: ['--'] },
  ]);
  assert.deepEqual(await registry.status('com.okta.dev-123'), { registered: 'yes', handler: 'OIDC Desk', detail: 'The operating system hands this scheme to OIDC Desk.' });
  assert.equal((await registry.status('dev.oidcdesk')).registered, 'yes');
});

test('development: `electron.exe <app path> --`, and status compares that exact command', async () => {
  const app = new FakeApp();
  const registry = createSchemeRegistry(deps(app, { command: [EXEC_PATH, APP_PATH] }));
  await registry.register([]);
  assert.deepEqual(app.calls, [{ scheme: 'dev.oidcdesk', path: EXEC_PATH, args: [APP_PATH, '--'] }]);
  assert.equal((await registry.status('dev.oidcdesk')).registered, 'yes');
  // The packaged app's registration is not this development run's.
  const packaged = createSchemeRegistry(deps(app));
  assert.equal((await packaged.status('dev.oidcdesk')).registered, 'no');
});

test('another application holding the scheme: no, named; the OS refusing: SCHEME_REGISTRATION_FAILED (macOS too); an unreadable registry: unknown', async () => {
  const app = new FakeApp();
  app.others.set('com.example.app', 'Other App');
  const registry = createSchemeRegistry(deps(app, { platform: 'darwin' }));
  assert.deepEqual(await registry.status('com.example.app'), { registered: 'no', handler: 'Other App', detail: 'Another application is registered for this scheme.' });
  app.refuse.add('com.example.app');
  await rejectsWith(registry.register(['com.example.app']), 'SCHEME_REGISTRATION_FAILED');
  assert.equal((await registry.status('dev.oidcdesk')).registered, 'yes', 'the schemes the OS accepted are registered');
  app.failQueries = true;
  assert.equal((await registry.status('dev.oidcdesk')).registered, 'unknown');
});

test('a scheme that is not reverse-domain, or carries control characters, is refused before the OS is asked', async () => {
  const app = new FakeApp();
  let opened = 0;
  const registry = createSchemeRegistry(deps(app, { openExternal: async () => void (opened += 1) }));
  for (const bad of ['myapp', 'http', 'javascript', 'file', 'Com.Example.App', 'com.example\nx', 'com.exa\x1bmple', 'com.example app', '-com.example', 'com..example', '', 'x'.repeat(300)]) {
    await rejectsWith(registry.register(['com.okta.ok', bad]), 'REDIRECT_SCHEME_INVALID');
    await rejectsWith(registry.status(bad), 'REDIRECT_SCHEME_INVALID');
    await rejectsWith(registry.selfTest(bad), 'REDIRECT_SCHEME_INVALID');
  }
  assert.deepEqual(app.calls, [], 'setAsDefaultProtocolClient never called, not even for the good scheme beside a bad one');
  assert.equal(opened, 0);
});

test('self-test: the URL opened comes back through accept, once; a wrong nonce, another scheme or a second delivery is not accepted', async () => {
  const opened: string[] = [];
  let deliver: (url: string) => void = () => undefined;
  const registry = createSchemeRegistry(deps(new FakeApp(), {
    openExternal: async (url) => {
      opened.push(url);
      deliver(url);
    },
  }));
  const seen: boolean[] = [];
  deliver = (url) => {
    const nonce = new URL(url).searchParams.get('nonce') ?? '';
    const other = nonce.endsWith('A') ? `${nonce.slice(0, -1)}B` : `${nonce.slice(0, -1)}A`;
    seen.push(registry.accept(url.replace(nonce, other)));
    seen.push(registry.accept(url.replace('com.okta.dev-123:', 'dev.oidcdesk:')));
    seen.push(registry.accept(`${url}&nonce=x`));
    seen.push(registry.accept(url));
    seen.push(registry.accept(url));
  };
  const result = await registry.selfTest('com.okta.dev-123');
  assert.equal(typeof result.waitedMs, 'number');
  assert.deepEqual(seen, [false, false, false, true, false]);
  assert.equal(opened.length, 1);
  assert.match(opened[0] ?? '', /^com\.okta\.dev-123:\/self-test\?nonce=[A-Za-z0-9_-]{22}$/);
  // A spent self-test URL is still intercepted (dropped), so it never reaches the callback router.
  assert.equal(registry.intercept(opened[0]), true);
  assert.equal(registry.intercept('com.okta.dev-123:/callback?code=c&state=s'), false, 'a callback goes on to the router');
});

test('self-test: nothing comes back in time gives SCHEME_TEST_TIMEOUT; an opener that fails gives SCHEME_REGISTRATION_FAILED; neither leaves a nonce to accept', async () => {
  const opened: string[] = [];
  const quiet = createSchemeRegistry(deps(new FakeApp(), { selfTestTimeoutMs: 20, openExternal: async (url) => void opened.push(url) }));
  await rejectsWith(quiet.selfTest('dev.oidcdesk'), 'SCHEME_TEST_TIMEOUT');
  assert.equal(quiet.accept(opened[0]), false, 'a late arrival is not accepted');
  const failing = createSchemeRegistry(deps(new FakeApp(), { openExternal: async () => Promise.reject(new Error('no handler')) }));
  await rejectsWith(failing.selfTest('dev.oidcdesk'), 'SCHEME_REGISTRATION_FAILED');
});

test('isSelfTestUrl: the self-test path on any scheme, whatever the query; never a callback', () => {
  for (const url of ['dev.oidcdesk:/self-test?nonce=abc', 'com.okta.x:/self-test', 'dev.oidcdesk:/self-test#x']) assert.equal(isSelfTestUrl(url), true, url);
  for (const url of ['dev.oidcdesk:/callback?code=c&state=s', 'dev.oidcdesk:/self-tests', 'dev.oidcdesk://self-test', 5, undefined]) assert.equal(isSelfTestUrl(url), false, String(url));
});

test('Exec arguments: plain ones as they are; others quoted per the Desktop Entry spec; % doubled', () => {
  assert.equal(desktopExecArgument('/usr/bin/node'), '/usr/bin/node');
  assert.equal(desktopExecArgument('file:///opt/x/loader.mjs'), 'file:///opt/x/loader.mjs');
  assert.equal(desktopExecArgument('/opt/OIDC Desk/oidc-desk'), '"/opt/OIDC Desk/oidc-desk"');
  assert.equal(desktopExecArgument('/opt/a"b'), '"/opt/a\\\\"b"');
  assert.equal(desktopExecArgument('/opt/a\\b'), '"/opt/a\\\\\\\\b"', 'a literal backslash is four in the file');
  assert.equal(desktopExecArgument('/opt/$HOME'), '"/opt/\\\\$HOME"');
  assert.equal(desktopExecArgument('/opt/100%'), '"/opt/100%%"');
  assert.equal(desktopExecArgument(''), '""');
});

test('a command a desktop entry cannot carry is refused when the Linux registry is made', () => {
  for (const command of [[], [''], ['/usr/bin/app\n[Desktop Entry]'], ['/usr/bin/a=b'], ['/usr/bin/app', 'x\ty']]) {
    assert.throws(() => createSchemeRegistry(deps(new FakeApp(), { platform: 'linux', command })), (e: unknown) => (e as { code?: unknown }).code === 'SCHEME_REGISTRATION_FAILED');
  }
});

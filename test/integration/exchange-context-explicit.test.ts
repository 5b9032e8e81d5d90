/**
 * The exchange context travels with each request, not through async state: a sign-in, a refresh and the
 * session's other operations through openDesk() against the local provider use no AsyncLocalStorage (on
 * Node 20 one turns on promise hooks for every promise of the process), no core module imports
 * node:async_hooks, and every exchange still belongs to its sign-in, then to its session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result, SignInStart } from '../../src-main/core/contract.ts';
import { openDesk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { nextEvent } from '../harness/sign-in-outcome.ts';

const { idp, browser } = useLocalProvider();
const coreDir = fileURLToPath(new URL('../../src-main/core/', import.meta.url));

/** Calls that enter an AsyncLocalStorage context from the core's own code (other libraries' are not counted). */
const coreEntries: string[] = [];
for (const method of ['run', 'enterWith'] as const) {
  const original = AsyncLocalStorage.prototype[method] as (...args: unknown[]) => unknown;
  Object.defineProperty(AsyncLocalStorage.prototype, method, {
    configurable: true,
    writable: true,
    value: function counted(this: AsyncLocalStorage<unknown>, ...args: unknown[]): unknown {
      const stack = new Error().stack ?? '';
      if (stack.includes(coreDir)) coreEntries.push(method);
      return original.apply(this, args);
    },
  });
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(result.error.code);
  return result.value;
}

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

test('no core module imports node:async_hooks', async () => {
  const files = await sourcesUnder(coreDir);
  assert.ok(files.length > 50, `the core's sources were found (${files.length})`);
  const importing: string[] = [];
  for (const file of files) {
    if (/['"](node:)?async_hooks['"]/.test(await readFile(file, 'utf8'))) importing.push(file.slice(coreDir.length));
  }
  assert.deepEqual(importing, []);
});

test('sign-in, refresh, userinfo, introspection and revocation: no AsyncLocalStorage, every exchange attributed', { timeout: 120_000 }, async () => {
  const secrets = new MemorySecretStore();
  Object.defineProperty(secrets, 'persistent', { value: true });
  const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-noals-')), secrets });
  try {
    value(await desk.api.addProfile({ profile: { name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'app-scheme', scopes: 'openid profile email offline_access', extraParams: { prompt: 'consent' } } }));
    const started = value(await desk.api.startSignIn({ profile: 'local' })) as SignInStart;
    const completed = nextEvent(desk, (e) => e.type === 'sign-in-completed' || e.type === 'sign-in-failed');
    const user = DEMO_USERS[0]!;
    const redirect = await browser.signIn(started.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: 'dev.oidcdesk:/callback' });
    recordSecrets(...redirectSecrets(redirect));
    value(await desk.deliverCallback(redirect));
    const outcome = await completed;
    assert.equal(outcome.type, 'sign-in-completed');
    if (outcome.type !== 'sign-in-completed') return;
    const id = outcome.session.id;
    const signInEntries = value(await desk.api.sessionTimeline({ sessionId: id })).length;

    await Promise.all([1, 2, 3].map(() => desk.api.refreshSession({ sessionId: id }).then(value)));
    value(await desk.api.getUserinfo({ sessionId: id }));
    value(await desk.api.introspectToken({ sessionId: id, token: 'access' }));
    value(await desk.api.revokeToken({ sessionId: id, token: 'access' }));

    const path = (url: string): string => new URL(url).pathname;
    const timeline = value(await desk.api.sessionTimeline({ sessionId: id }));
    assert.deepEqual(timeline.slice(0, signInEntries).map((e) => [path(e.url), e.context?.flowId]), [
      ['/.well-known/openid-configuration', started.flowId],
      ['/token', started.flowId],
      ['/jwks', started.flowId],
    ], 'the sign-in\'s discovery, code exchange and keys belong to it, then to the session');
    const own = timeline.slice(signInEntries);
    assert.deepEqual(own.map((e) => path(e.url)), ['/token', '/me', '/token/introspection', '/token/revocation'], 'one refresh (single flight), userinfo, introspection, revocation');
    assert.ok(own.every((e) => e.context?.sessionId === id && e.context.flowId === undefined), 'the session\'s own operations are its own');
    assert.deepEqual(coreEntries, [], 'the core entered no AsyncLocalStorage context');
  } finally {
    await desk.close();
  }
});

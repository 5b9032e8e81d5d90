/**
 * Sessions across processes with the real keytar: keychain unavailable (session-only mode), and a
 * process killed (SIGKILL) in the middle of a refresh, then a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { parseProfile } from '../../src-main/core/profile.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { openBrowser, type BrowserAgent } from '../harness/browser.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';

const CHILD = new URL('../harness/session-child.ts', import.meta.url).pathname;
const realKeychain = process.env.OIDC_DESK_TEST_KEYRING === '1';

function child(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiters: Array<(l: Record<string, unknown>) => void> = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    lines.push(parsed);
    waiters.splice(0).forEach((w) => w(parsed));
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return { proc, lines, exit, stderr: () => stderr, next: () => new Promise<Record<string, unknown>>((r) => waiters.push(r)) };
}

test('no Secret Service: sign-in runs in session-only mode, says so, and writes no secret to disk', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/oidc-desk-bus' };
  delete env.DISPLAY;
  const c = child(['session-only'], env);
  const { code } = await c.exit;
  assert.equal(code, 0, c.stderr());
  const done = c.lines.find((l) => l.step === 'done') as { keychain: { state: string; message?: string; sessionOnly: boolean }; status: string; storage: string; refreshedStatus: string; refreshTokenOnDisk: boolean };
  assert.equal(done.keychain.state, 'unavailable');
  assert.equal(done.keychain.sessionOnly, true);
  assert.ok(done.keychain.message && done.keychain.message.length > 0, 'the OS message is shown');
  assert.equal(done.status, 'session-only');
  assert.equal(done.storage, 'session-only');
  assert.equal(done.refreshedStatus, 'session-only', 'refresh works from memory');
  assert.equal(done.refreshTokenOnDisk, false);
});

let idp: TestIdp;
let browser: BrowserAgent;
before(async () => {
  if (!realKeychain) return;
  idp = await startTestIdp();
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await idp?.stop();
});

test('SIGKILL in the middle of a refresh, then restart: the session is kept and asks for a new sign-in', { skip: realKeychain ? false : 'no Secret Service: run through npm test (dbus-run-session + gnome-keyring)' }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-kill-'));
  const service = `OIDC Desk kill test ${process.pid}`;
  const open = () => SessionService.open({ dataDir, secrets: new KeytarSecretStore({ service }), fetch: createHttpClient(), now: Date.now });
  const first = await open();
  const profile = parseProfile({ name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid profile offline_access', extraParams: { prompt: 'consent' } });
  const { started, session } = await first.signIn(profile);
  const redirect = await browser.signIn(started.authorizationUrl, { username: DEMO_USERS[0]!.username, password: DEMO_USERS[0]!.password, redirectPrefix: 'dev.oidcdesk:/callback' });
  recordSecrets(...redirectSecrets(redirect));
  await first.engine.router.handle(redirect);
  const { id } = await session;
  first.close();

  // A proxy that forwards the refresh to the provider, and kills the refreshing process as soon as the
  // provider has answered (so the provider has rotated the token, the process never learns the new one).
  let kill: () => void = () => undefined;
  let providerAnswered = false;
  const proxy: Server = createServer((req, res) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: idp.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      const isRefresh = req.url?.endsWith('/token');
      if (isRefresh) {
        up.resume();
        up.on('end', () => {
          providerAnswered = true;
          kill();
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    await idp.resetCounts();
    const c = child(['refresh', dataDir, service, id, idp.issuer, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`]);
    kill = () => c.proc.kill('SIGKILL');
    const { signal } = await c.exit;
    assert.equal(signal, 'SIGKILL', c.stderr());
    assert.equal(providerAnswered, true, 'the provider rotated the token before the kill');
    assert.ok(!c.lines.some((l) => l.step === 'refreshed'));
    assert.equal((await idp.counts())['token:refresh_token'], 1);

    // Restart: the index and the (old) keychain entry survived; the stale lock of the dead process is broken.
    const second = await open();
    assert.equal(second.view(id).status, 'active');
    // The provider rotated the token, so the old one is refused (and, as reuse, ends the grant): sign in again.
    await assert.rejects(second.refresh(id), { code: 'SIGN_IN_NEEDED' });
    assert.equal(second.view(id).status, 'sign-in-needed');
    assert.equal((await new KeytarSecretStore({ service }).get(id)).kind, 'absent', 'the dead refresh token was deleted');
  } finally {
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
  }
});

/**
 * `npm start` (scripts/start.mjs) where no Electron binary can be had: one line says why, then browser mode
 * serves the window; the first-run path works from there over HTTP (ensureDemoProvider, then
 * startSignIn({ profile: 'demo' }), the demo provider's pages in Chromium, the session arriving as an event);
 * SIGTERM stops it cleanly. Run with --no-build: the suite has built dist/ already, and other test files
 * run the built CLI meanwhile.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoProviderView, ProfileView, SessionView, SignInStart } from '../../src-main/core/contract.ts';
import { stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { openBrowser } from '../harness/browser.ts';
import { Cli, KEYRING, NO_KEYRING, ROOT, endCliRuns, killGroup, transcript } from '../harness/cli-runner.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import { callApi, openEvents } from '../harness/web-server.ts';

const dataDirs: string[] = [];

after(async () => {
  for (const dataDir of dataDirs) await stopDemoProvider({ dataDir });
  endCliRuns();
});

/** `node scripts/start.mjs --no-build --data-dir <own> --no-open` with the test user's environment; resolves once it prints the URL with its token. */
async function start(cli: Cli, env: Readonly<Record<string, string | undefined>>, root = ROOT): Promise<{ stderr: () => string; url: URL; done: Promise<number | null>; stop: () => void }> {
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), '--no-build', '--data-dir', cli.dataDir, '--no-open'], { cwd: root, env: cli.env(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const done = new Promise<number | null>((resolve) => child.once('close', (code) => {
    transcript.push(stdout, stderr);
    resolve(code);
  }));
  const limit = setTimeout(() => killGroup(child, 'SIGKILL'), 120_000);
  void done.then(() => clearTimeout(limit));
  const url = await new Promise<URL>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43})$/m.exec(stderr);
      if (m) resolve(new URL(m[1] ?? ''));
    });
    void done.then((code) => reject(new Error(`start.mjs ended (${code}) before printing the URL:\n${stderr}`)));
  });
  recordSecrets(url.searchParams.get('token'));
  const token = url.searchParams.get('token') ?? '';
  // Failure messages quote stderr: without the token, which the suite's output must never hold.
  return { stderr: () => stderr.replaceAll(token, '<token>'), url, done, stop: () => child.kill('SIGTERM') };
}

/** The session cookie for the printed URL. */
async function cookieFor(url: URL): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  recordSecrets(cookie.split('=')[1]);
  return cookie;
}

test('no Electron binary: one line says so, browser mode serves the window, the first-run sign-in to the demo provider works over HTTP, SIGTERM stops it', { skip: KEYRING ? false : NO_KEYRING, timeout: 180_000 }, async () => {
  const cli = await Cli.create();
  dataDirs.push(cli.dataDir);
  const run = await start(cli, { ELECTRON_OVERRIDE_DIST_PATH: undefined });
  const lines = run.stderr().split('\n');
  assert.match(lines[0] ?? '', /^npm start: .+; opening browser mode \(oidc-desk ui\) instead\.$/, 'the first line says why');
  if (!existsSync(join(ROOT, 'node_modules', 'electron', 'dist'))) assert.match(lines[0] ?? '', /no Electron binary here/);
  assert.equal(lines.filter((l) => /Electron|electron/.test(l)).length, 1, 'one line about Electron');

  const origin = run.url.origin;
  const cookie = await cookieFor(run.url);
  const page = await fetch(`${origin}/`, { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script src="\/oidc-desk-client.js"><\/script>/, 'the window, with window.oidcDesk');

  const events = await openEvents(origin, cookie);
  const first = await callApi<{ provider: DemoProviderView; profile: ProfileView }>(origin, 'ensureDemoProvider', null, cookie);
  assert.ok(first.ok, JSON.stringify(first));
  assert.equal(first.value.provider.running, true);
  assert.equal(first.value.profile.name, 'demo');
  assert.equal(first.value.profile.redirect, 'loopback');
  const started = await callApi<SignInStart>(origin, 'startSignIn', { profile: 'demo' }, cookie);
  assert.ok(started.ok, JSON.stringify(started));
  const browser = await openBrowser();
  try {
    const user = DEMO_USERS[0]!;
    const redirect = await browser.signIn(started.value.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: started.value.redirectUri });
    recordSecrets(...redirectSecrets(redirect));
  } finally {
    await browser.close();
  }
  const done = await events.next((e) => (e.type === 'sign-in-completed' || e.type === 'sign-in-failed') && e.flowId === started.value.flowId);
  assert.equal(done.type, 'sign-in-completed', JSON.stringify(done));
  const sessions = await callApi<SessionView[]>(origin, 'listSessions', null, cookie);
  assert.ok(sessions.ok);
  assert.deepEqual(sessions.value.map((s) => [s.profile, s.issuer]), [['demo', first.value.provider.issuer]]);
  const refreshToken = await cli.storedRefreshToken(sessions.value[0]?.id ?? '');
  assert.ok(!events.text().includes(refreshToken) && !JSON.stringify([first, started, sessions]).includes(refreshToken), 'no refresh token over HTTP');
  events.close();

  run.stop();
  assert.equal(await run.done, 0, run.stderr());
  assert.match(run.stderr(), /Stopping browser mode/);
  await assert.rejects(fetch(`${origin}/`), 'the server is gone');
});

test('an Electron binary but no desktop main process built yet: it says that instead, runs browser mode, and never starts the binary', { timeout: 60_000 }, async (t) => {
  // A copy of the app's folder whose package.json names a main process that is not there (as after
  // `npm start --no-build` before any build): its scripts copied, bin/ and node_modules linked to the real ones.
  const root = await mkdtemp(join(tmpdir(), 'oidc-desk-unbuilt-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { main: string };
  await writeFile(join(root, 'package.json'), JSON.stringify({ ...pkg, main: 'dist/electron/not-built.js' }));
  await cp(join(ROOT, 'scripts'), join(root, 'scripts'), { recursive: true });
  await symlink(join(ROOT, 'bin'), join(root, 'bin'));
  await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  const dist = await mkdtemp(join(tmpdir(), 'oidc-desk-electron-'));
  const marker = join(dist, 'ran');
  // A stand-in, not Electron: it only records that it was started.
  await writeFile(join(dist, 'electron'), `#!/bin/sh\ntouch "${marker}"\n`);
  await chmod(join(dist, 'electron'), 0o755);
  const cli = await Cli.create();
  dataDirs.push(cli.dataDir);
  const run = await start(cli, { ELECTRON_OVERRIDE_DIST_PATH: dist }, root);
  assert.match(run.stderr().split('\n')[0] ?? '', /^npm start: the desktop app's main process \(.+\) is not built; opening browser mode \(oidc-desk ui\) instead\.$/);
  await cookieFor(run.url);
  run.stop();
  assert.equal(await run.done, 0, run.stderr());
  assert.equal(existsSync(marker), false, 'the binary was not started');
});

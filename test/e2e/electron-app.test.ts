/**
 * The desktop app end to end in the real Electron binary (Playwright's `_electron`), against the local
 * provider, the real keychain and Chromium: a sign-in started in the window opens the system browser through
 * a redirect file only (a stand-in `xdg-open` records it), Chromium signs in at the provider, and the
 * custom-scheme redirect arrives as the OS delivers it, a second start of the binary with `<app> -- <url>`;
 * the window shows the session, refreshes it and signs out. A callback with no sign-in waiting is refused
 * (running or at a cold start), and switches injected after `--` (`--inspect`, `--gpu-launcher`) do nothing
 * (CVE-2018-1000006). Where no Electron binary can be had, every test is skipped with the reason, and
 * nothing is launched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { WAIT_MS } from '../harness/app.ts';
import { openBrowser, type BrowserAgent } from '../harness/browser.ts';
import { endCliRuns, type Cli } from '../harness/cli-runner.ts';
import { ELECTRON_SKIP, ElectronDesk, startDisplay, type Display, type InstanceRun } from '../harness/electron-app.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { freePort } from '../harness/ports.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { StandInOpener } from '../harness/stand-in-opener.ts';

const options = { skip: ELECTRON_SKIP, timeout: 300_000 };
const SCHEME_REDIRECT = 'dev.oidcdesk:/callback';

let idp: TestIdp;
let browser: BrowserAgent;
let opener: StandInOpener;
let display: Display;
let scratch: string;
/** The app signed in, refreshed and signed out by the first tests. */
let desk: ElectronDesk;
/** Every app started here, to close and to read what it printed. */
const apps: ElectronDesk[] = [];
/** Every second instance's run. */
const runs: InstanceRun[] = [];
/** Codes, states, nonces and refresh tokens seen: none may appear in anything an app printed. */
const secrets: string[] = [];
let used = { redirect: '', sessionId: '' };
/** The refresh token in the keychain after the sign-in. */
let signedInRefreshToken = '';

before(async () => {
  if (ELECTRON_SKIP !== false) return;
  scratch = await mkdtemp(join(tmpdir(), 'oidc-desk-electron-test-'));
  idp = await startTestIdp();
  browser = await openBrowser();
  opener = await StandInOpener.install();
  display = await startDisplay();
});

after(async () => {
  for (const app of apps) await app.close();
  opener?.stop();
  if (opener !== undefined) await rm(opener.binDir, { recursive: true, force: true });
  await browser?.close();
  await idp?.stop();
  await display?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  endCliRuns();
});

/** The local provider's profile with the app's own scheme as its redirect. */
async function addSchemeProfile(cli: Cli): Promise<void> {
  const r = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback',
    '--param', 'prompt=consent', '--redirect', SCHEME_REDIRECT]);
  assert.equal(r.code, 0, r.stderr);
}

async function launch(afterRoot: readonly string[] = []): Promise<ElectronDesk> {
  const app = await ElectronDesk.launch({ display, opener, afterRoot, prepare: addSchemeProfile });
  apps.push(app);
  return app;
}

async function secondInstance(app: ElectronDesk, afterRoot: readonly string[]): Promise<InstanceRun> {
  const run = await app.secondInstance(afterRoot);
  runs.push(run);
  return run;
}

/** Waits (a safety limit, not a timing assertion) until the app's output matches `pattern`. */
async function outputMatching(app: ElectronDesk, pattern: RegExp): Promise<string> {
  for (let i = 0; i < WAIT_MS / 100; i += 1) {
    const output = await app.output();
    if (pattern.test(output)) return output;
    await sleep(100);
  }
  return app.output();
}

/** True when something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A `--gpu-launcher` that leaves a mark when Chromium runs it (it then runs what it was given). */
async function gpuLauncherMarker(): Promise<{ script: string; mark: string }> {
  const dir = await mkdtemp(join(scratch, 'gpu-launcher-'));
  const mark = join(dir, 'ran');
  const script = join(dir, 'gpu-launcher.sh');
  await writeFile(script, `#!/bin/sh\ntouch '${mark}'\nexec "$@"\n`);
  await chmod(script, 0o755);
  return { script, mark };
}

/** A forged callback for no sign-in: its code and state are recorded, so the output checks look for them. */
function forgedCallback(): string {
  const code = randomBytes(16).toString('hex');
  const state = randomBytes(16).toString('hex');
  recordSecrets(code, state);
  secrets.push(code, state);
  return `${SCHEME_REDIRECT}?code=${code}&state=${state}`;
}

test('a sign-in from the window: the system opener gets only a redirect file, Chromium signs in at the provider, a second instance delivers the redirect, and the window shows the session', options, async () => {
  desk = await launch();
  await desk.page.locator('section.first-run').waitFor();
  await idp.resetCounts();

  const signIn = await desk.signIn(browser, DEMO_USERS[0]!, 'local');
  const { handoff, authorization } = signIn;
  secrets.push(authorization.searchParams.get('state') ?? '', authorization.searchParams.get('nonce') ?? '', new URL(signIn.redirect).searchParams.get('code') ?? '');
  used = { redirect: signIn.redirect, sessionId: signIn.sessionId };

  assert.equal(handoff.argv.length, 1, 'the opener gets one argument');
  assert.match(handoff.argv[0] ?? '', /^file:\/\/\/.+\/sign-in\.html$/, 'a file: URL, never the authorization URL');
  assert.equal(handoff.fileStat, `600 ${process.getuid?.() ?? 0} regular file`, 'the redirect file is 0600 and ours');
  assert.equal(authorization.origin, idp.issuer, 'the redirect file leads to the provider');
  assert.equal(authorization.searchParams.get('redirect_uri'), SCHEME_REDIRECT);
  assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(signIn.redirect.startsWith(`${SCHEME_REDIRECT}?`), 'the provider redirected to the app\'s scheme');

  assert.equal(signIn.delivery.code, 0, `the second instance handed the link over and quit (${signIn.delivery.signal ?? ''})`);
  assert.ok(desk.running, 'the first instance runs on');
  assert.equal(await desk.expectSession('alice'), signIn.sessionId, 'the session list shows the new session');
  assert.equal((await idp.counts())['token:authorization_code'], 1, 'exactly one code exchange');

  // The app used the data directory and keychain service the environment named: the CLI of that user sees both.
  signedInRefreshToken = await desk.cli.storedRefreshToken(signIn.sessionId);
  secrets.push(signedInRefreshToken);
  assert.ok(JSON.stringify(await desk.cli.json(['sessions'])).includes(signIn.sessionId), 'the session is in OIDC_DESK_DATA_DIR');

  await desk.nav('Status');
  await desk.page.getByText('The OIDC Desk desktop app.').waitFor();
  assert.deepEqual(desk.pageErrors, [], 'the window raised no script error');
});

test('a refresh from the window: a new access token and expiry, the refresh token rotated in the keychain', options, async () => {
  await idp.resetCounts();
  // The provider's times are in whole seconds: let one pass, so the refreshed tokens' times differ.
  await sleep(1100);
  await desk.openSession('alice');
  const changes = await desk.refresh();
  assert.equal(await changes.locator('[data-access-changed]').getAttribute('data-access-changed'), 'true', 'a new access token');
  assert.equal(await changes.locator('[data-expiry-changed]').getAttribute('data-expiry-changed'), 'true', 'a new expiry');
  assert.equal((await idp.counts())['token:refresh_token'], 1, 'exactly one refresh request');
  const after = await desk.cli.storedRefreshToken(used.sessionId);
  secrets.push(after);
  assert.notEqual(after, signedInRefreshToken, 'the refresh token was rotated in the keychain');
});

test('a sign-out from the window: the session leaves the list and the keychain, and no browser is opened for it', options, async () => {
  const notice = await desk.signOut('alice');
  assert.match(await notice.innerText(), /Refresh token: revoked at the provider\./);
  const read = await new KeytarSecretStore({ service: desk.cli.service }).get(used.sessionId);
  assert.equal(read.kind, 'absent', 'the keychain entry is gone');
  assert.deepEqual(await desk.sessions(), [], 'no session left');
  assert.equal(desk.openerStarted(), false, 'the system opener was not started again');
});

test('the redirect delivered again, and a forged callback, while no sign-in waits: refused before any token request, the app runs on and names the reason', options, async () => {
  await idp.resetCounts();
  for (const url of [used.redirect, forgedCallback()]) {
    const run = await secondInstance(desk, ['--', url]);
    assert.equal(run.code, 0, 'the second instance handed the link over and quit');
  }
  const output = await outputMatching(desk, /CALLBACK_STATE_UNKNOWN/);
  assert.match(output, /CALLBACK_STATE_UNKNOWN/, 'the app says the callback matched no sign-in');
  assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no token request');
  assert.ok(desk.running, 'the app runs on');
  assert.deepEqual(await desk.sessions(), [], 'no session was made');
  assert.deepEqual(desk.pageErrors, []);
});

test('switches injected after -- in a second instance (--inspect, --gpu-launcher, next to a URL) do nothing', options, async () => {
  const port = await freePort();
  const gpu = await gpuLauncherMarker();
  await idp.resetCounts();
  for (const afterRoot of [
    ['--', `--inspect=127.0.0.1:${port}`],
    ['--', `--gpu-launcher=${gpu.script}`],
    ['--', forgedCallback(), `--inspect=127.0.0.1:${port}`],
    ['--', `--inspect=127.0.0.1:${port}`, forgedCallback()],
  ]) {
    const run = await secondInstance(desk, afterRoot);
    assert.equal(run.code, 0, 'the second instance quit normally');
    assert.doesNotMatch(run.output, /Debugger listening/, 'no inspector was started');
  }
  assert.equal(await listening(port), false, `nothing listens on the injected inspector port`);
  assert.equal(existsSync(gpu.mark), false, 'the injected GPU launcher never ran');
  assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no token request');
  assert.ok(desk.running, 'the app runs on');
  assert.deepEqual(await desk.sessions(), []);
});

test('a cold start with a callback URL and no sign-in waiting: the link is refused, the app starts and shows its first run', options, async () => {
  await idp.resetCounts();
  const url = forgedCallback();
  const cold = await launch(['--', url]);
  await cold.page.locator('section.first-run').waitFor();
  const output = await outputMatching(cold, /CALLBACK_STATE_UNKNOWN/);
  assert.match(output, /CALLBACK_STATE_UNKNOWN/, 'the app says the callback matched no sign-in');
  assert.deepEqual(await cold.sessions(), [], 'no session');
  assert.deepEqual(await idp.counts(), {}, 'the provider was not contacted');
  assert.ok(cold.running, 'the app runs');
  assert.deepEqual(cold.pageErrors, []);
  await cold.close();
});

test('a cold start with switches injected after --: no inspector on their port, no GPU launcher, the app starts', options, async () => {
  const port = await freePort();
  const gpu = await gpuLauncherMarker();
  const cold = await launch(['--', `--inspect=127.0.0.1:${port}`, `--gpu-launcher=${gpu.script}`]);
  await cold.page.locator('section.first-run').waitFor();
  assert.equal(await listening(port), false, 'nothing listens on the injected inspector port');
  assert.equal(existsSync(gpu.mark), false, 'the injected GPU launcher never ran');
  const inspectors = (await cold.output()).split('\n').filter((line) => line.startsWith('Debugger listening on'));
  assert.equal(inspectors.length, 1, 'one inspector only: the one Playwright asked for before the app folder');
  assert.ok(!(inspectors[0] ?? '').includes(`:${port}/`), 'not on the injected port');
  assert.ok(cold.running);
  await cold.close();
});

test('nothing an app or a second instance printed holds a code, state, nonce or refresh token', options, async () => {
  const printed = [...(await Promise.all(apps.map((app) => app.output()))), ...runs.map((r) => r.output)].join('\n');
  const known = secrets.filter((s) => s.length >= 8);
  assert.ok(known.length >= 6, 'the tests saw the secrets they check for');
  const found = known.filter((s) => printed.includes(s)).length;
  assert.equal(found, 0, 'no secret in the output of the app');
});

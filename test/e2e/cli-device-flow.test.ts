/**
 * `oidc-desk login` on a device flow profile (RFC 8628), end to end with the built CLI, the local provider's
 * device flow and its own pages (test/harness/device-flow.ts), Chromium doing the person's part as on
 * another device, and the real keychain: the address, the code and the QR code on stderr, progress lines
 * while it polls, exactly the session id on stdout; `--no-qr`; Ctrl-C; `--open` through `--browser-command`;
 * an expired code; the options refused where they do not belong.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderUnicodeCompact } from 'uqr';
import { launchChromium } from '../harness/browser.ts';
import { Cli, KEYRING, NO_KEYRING, ROOT, SESSION_ID, assertFailed, children, endCliRuns, killGroup, type CliRun } from '../harness/cli-runner.ts';
import { completeDeviceSignIn, deviceClient } from '../harness/device-flow.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';

const CHROMIUM = process.env['OIDC_DESK_CHROMIUM'] ?? '/usr/bin/chromium';
const SKIP = !existsSync(CHROMIUM) ? `needs Chromium at ${CHROMIUM}` : !KEYRING ? NO_KEYRING : false;
const DEVICE_BROWSER_COMMAND = `"${process.execPath}" --import tsx "${join(ROOT, 'test', 'harness', 'device-browser-command.ts')}"`;
/** The verification URI with the code, as the CLI prints it. */
const COMPLETE = /With the code filled in: (http:\/\/127\.0\.0\.1:\d+\/device\?user_code=([A-Z]{4}-[A-Z]{4}))\n/;

function ok(r: CliRun): CliRun {
  assert.equal(r.code, 0, r.stderr);
  return r;
}

async function deviceProfile(cli: Cli, idp: TestIdp): Promise<void> {
  ok(await cli.run(['profile', 'add', 'tv', '--issuer', idp.issuer, '--client-id', 'dev', '--allow-http-loopback', '--flow', 'device_code']));
}

describe('oidc-desk login with the device flow', { skip: SKIP, timeout: 300_000 }, () => {
  let idp: TestIdp;
  let browser: Browser;
  before(async () => {
    idp = await startTestIdp({ clients: [deviceClient('dev')], grants: { deviceFlow: true } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await idp?.stop();
    endCliRuns();
  });

  test('the address, the code and a QR code on stderr, progress while it polls, the session id on stdout', async () => {
    const cli = await Cli.create();
    await deviceProfile(cli, idp);
    const running = cli.start(['login', 'tv']);
    const [, complete = '', userCode = ''] = await running.stderrMatching(COMPLETE);
    // The person has not acted yet: a progress line says the CLI is polling.
    await running.stderrMatching(/Waiting for the sign-in on the other device \(checked 1 time, next in 5 s; the code expires in \d+ min\)\./);
    assert.equal(await completeDeviceSignIn(browser, complete, undefined, { user: DEMO_USERS[0]! }), 'device-success');
    const r = ok(await running.done);
    assert.match(r.stdout, /^s-[0-9a-f]{8}\n$/, 'exactly the session id on stdout');
    assert.match(r.stderr, new RegExp(`open this address on a phone or a computer with a browser:\\n\\n  ${idp.issuer}/device\\n\\nand enter the code:\\n\\n  ${userCode}\\n`));
    assert.ok(r.stderr.includes(renderUnicodeCompact(complete, { border: 2 })), 'the QR code of the address with the code, on stderr');
    assert.match(r.stderr, /Signed in as Alice Example \(user-alice\)/);
    const id = r.stdout.trim();
    assert.match(id, SESSION_ID);
    await cli.storedRefreshToken(id);
    const sessions = await cli.json(['sessions']) as Record<string, unknown>[];
    assert.deepEqual(sessions.map((s) => [s['id'], s['subject'], s['status'], s['storage']]), [[id, 'user-alice', 'active', 'keychain']]);
    ok(await cli.run(['refresh', id]));
  });

  test('--no-qr leaves the QR code out; Ctrl-C cancels cleanly with SIGN_IN_CANCELLED', async () => {
    const cli = await Cli.create();
    await deviceProfile(cli, idp);
    const running = cli.start(['login', 'tv', '--no-qr']);
    await running.stderrMatching(/Ctrl-C cancels\./);
    const child = [...children].at(-1);
    assert.ok(child !== undefined);
    killGroup(child, 'SIGINT');
    const r = await running.done;
    assertFailed(r, 3, 'SIGN_IN_CANCELLED');
    assert.match(r.stderr, COMPLETE, 'the address with the code is still said in words');
    assert.ok(!/[\u2580\u2584\u2588]/.test(r.stderr), 'no QR code');
    assert.deepEqual(await cli.json(['sessions']), []);
  });

  test('Ctrl-C while the prompt and its QR code are being printed cancels cleanly too', async () => {
    const cli = await Cli.create();
    await deviceProfile(cli, idp);
    const running = cli.start(['login', 'tv']);
    await running.stderrMatching(/To sign in, open this address/);
    const child = [...children].at(-1);
    assert.ok(child !== undefined);
    killGroup(child, 'SIGINT');
    const r = await running.done;
    assertFailed(r, 3, 'SIGN_IN_CANCELLED');
    assert.deepEqual(await cli.json(['sessions']), []);
  });

  test('--open hands the address with the code to --browser-command, which signs in there', async () => {
    const cli = await Cli.create();
    await deviceProfile(cli, idp);
    const r = ok(await cli.run(['login', 'tv', '--open', '--browser-command', DEVICE_BROWSER_COMMAND]));
    assert.match(r.stdout, /^s-[0-9a-f]{8}\n$/);
    assert.match(r.stderr, /Signed in as Alice Example/);
    await cli.storedRefreshToken(r.stdout.trim());
  });

  test('options where they do not belong are refused before anything is sent', async () => {
    const cli = await Cli.create();
    await deviceProfile(cli, idp);
    ok(await cli.run(['profile', 'add', 'web', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback']));
    await idp.resetCounts();
    assertFailed(await cli.run(['login', 'web', '--no-qr']), 2, 'USAGE');
    assertFailed(await cli.run(['login', 'tv', '--browser-command', DEVICE_BROWSER_COMMAND]), 2, 'USAGE');
    assertFailed(await cli.run(['login', 'tv', '--username', 'alice']), 2, 'USAGE');
    assertFailed(await cli.run(['login', 'tv', '--open', '--no-open']), 2, 'USAGE');
    assert.equal((await idp.counts())['device_authorization'], undefined, 'nothing was sent');
  });
});

describe('oidc-desk login when the device code expires', { skip: SKIP, timeout: 120_000 }, () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp({ clients: [deviceClient('dev')], grants: { deviceFlow: true, deviceCodeTtl: 2 } });
  });
  after(async () => {
    await idp?.stop();
    endCliRuns();
  });

  test('exit 3 with DEVICE_CODE_EXPIRED, no session', async () => {
    const cli = await Cli.create();
    await deviceProfile(cli, idp);
    const r = await cli.run(['login', 'tv', '--no-qr']);
    assertFailed(r, 3, 'DEVICE_CODE_EXPIRED');
    assert.match(r.stderr, /The code expires in \d s\./);
    assert.deepEqual(await cli.json(['sessions']), []);
  });
});

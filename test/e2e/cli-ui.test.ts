/**
 * `oidc-desk ui` as users run it (the built CLI): the system opener (a stand-in `xdg-open` first on PATH)
 * gets only the `file:` URL of a 0600 redirect file; no process's argv holds the connection token while
 * browser mode runs; Chromium following the file gets the session cookie and calls the API; the file is
 * removed once a browser connected; Ctrl-C stops everything cleanly. `--no-open` prints the URL with its
 * token on stderr; a taken port or bad arguments fail with their codes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { DeskApi, Result } from '../../src-main/core/contract.ts';
import { launchChromium } from '../harness/browser.ts';
import { Cli, assertFailed, children, endCliRuns } from '../harness/cli-runner.ts';
import { freePort, holdPort } from '../harness/ports.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { StandInOpener, assertNoSecretInAnyArgv, openerRan, pageTarget } from '../harness/stand-in-opener.ts';

let opener: StandInOpener;
let chromium: Browser | undefined;
before(async () => {
  opener = await StandInOpener.install();
});
after(async () => {
  await chromium?.close();
  opener?.stop();
  endCliRuns();
});

/** Sends `signal` to the one CLI running (this file runs one at a time), as Ctrl-C or a kill would. */
function signalCli(signal: NodeJS.Signals): void {
  for (const child of children) child.kill(signal);
}

/** Polls a condition (a safety limit, not a timing assertion). */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i += 1) await sleep(50);
  assert.ok(check(), what);
}

test('the system browser gets only a 0600 redirect file, no argv holds the token, Chromium following it gets the cookie and calls the API, Ctrl-C stops it', { timeout: 120_000 }, async () => {
  const cli = await Cli.create();
  const { env, log } = await opener.env();
  const running = cli.start(['ui'], env);
  const record = await opener.record(log);

  assert.equal(record.argv.length, 1, 'the opener gets one argument');
  const [handed = ''] = record.argv;
  assert.match(handed, /^file:\/\/\/.+\.html$/, 'a file: URL');
  assert.equal(record.fileStat, `600 ${process.getuid?.() ?? 0} regular file`, 'the file is 0600, ours, not a link');
  assert.equal(record.dirStat, `700 ${process.getuid?.() ?? 0}`, 'in a 0700 directory of ours');
  const target = pageTarget(record.content);
  const token = target.searchParams.get('token') ?? '';
  recordSecrets(token);
  assert.match(target.origin, /^http:\/\/127\.0\.0\.1:\d+$/, 'the page leads to browser mode on 127.0.0.1');
  assert.equal(target.pathname, '/');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits');
  assert.ok(!handed.includes(token), 'the opener\'s argument does not hold the token');
  const told = await running.stderrMatching(/Ctrl-C stops it/);
  assert.ok(!told.input.includes(token), 'the token is not printed when the browser was opened');
  await assertNoSecretInAnyArgv([token, target.href], 'while browser mode runs (opener alive)');

  chromium ??= await launchChromium();
  const context = await chromium.newContext();
  try {
    const page = await context.newPage();
    // As a browser started with the file would: its meta refresh leads to browser mode with the token.
    await page.goto(handed);
    await page.waitForURL(`${target.origin}/`);
    const [cookie] = await context.cookies(target.origin);
    recordSecrets(cookie?.value);
    assert.equal(cookie?.httpOnly, true, 'the session cookie');
    assert.equal(cookie?.sameSite, 'Strict');
    const answers = await page.evaluate(async () => {
      const api = (window as unknown as { oidcDesk: DeskApi }).oidcDesk;
      return [await api.listSessions(), await api.listProfiles(), await api.demoProvider()];
    }) as Result<unknown>[];
    assert.deepEqual(answers.map((r) => r.ok), [true, true, true], JSON.stringify(answers));
    assert.deepEqual(answers[0]?.ok ? answers[0].value : undefined, []);
    await assertNoSecretInAnyArgv([token, cookie?.value ?? 'no cookie'], 'with Chromium connected');
    const path = fileURLToPath(handed);
    await eventually(() => !existsSync(path), 'the redirect file is removed once a browser has connected');
    assert.equal(existsSync(dirname(path)), false, 'and its directory');
  } finally {
    await context.close();
  }

  signalCli('SIGINT');
  const done = await running.done;
  assert.equal(done.code, 0, `signal ${done.signal}: ${done.stderr}`);
  assert.equal(done.stdout, `${target.origin}/\n`, 'stdout: the URL without its token');
  assert.match(done.stderr, /Stopping browser mode/);
  assert.ok(!done.stderr.includes(token) && !done.stdout.includes(token), 'the token was never printed');
  await assert.rejects(fetch(`${target.origin}/`), 'the server is gone');
});

test('--no-open --port <n>: the URL with its token on stderr, nothing opened; it connects; SIGTERM stops it', { timeout: 60_000 }, async () => {
  const cli = await Cli.create();
  const { env, log } = await opener.env();
  const port = await freePort();
  const running = cli.start(['ui', '--port', String(port), '--no-open'], env);
  const match = await running.stderrMatching(/^ {2}(http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43}))$/m);
  recordSecrets(match[3]);
  assert.equal(Number(match[2]), port, 'on the port asked for');
  // Its next lines say how to reach it from another machine (awaited: stderr arrives in pieces).
  const hint = await running.stderrMatching(/ssh -L (\d+):127\.0\.0\.1:(\d+)/);
  assert.deepEqual([Number(hint[1]), Number(hint[2])], [port, port], 'the same port on both ends');
  const res = await fetch(match[1] ?? '', { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  recordSecrets(cookie.split('=')[1]);
  const origin = `http://127.0.0.1:${port}`;
  const api = await fetch(`${origin}/api/keychainStatus`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: 'null' });
  assert.equal(api.status, 200);
  assert.equal(((await api.json()) as Result<unknown>).ok, true);
  signalCli('SIGTERM');
  const done = await running.done;
  assert.equal(done.code, 0, done.stderr.replaceAll(match[3] ?? '', '<token>'));
  assert.equal(done.stdout, `${origin}/\n`);
  assert.equal(openerRan(log), false, 'no browser was opened');
});

test('an opener that fails: the URL with its token is printed instead, and the redirect file removed', { timeout: 60_000 }, async () => {
  const cli = await Cli.create();
  const { env, log } = await opener.env(true);
  const running = cli.start(['ui'], env);
  const record = await opener.record(log);
  const match = await running.stderrMatching(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/\?token=([A-Za-z0-9_-]{43}))$/m);
  recordSecrets(match[2]);
  assert.equal(match[1], pageTarget(record.content).href, 'the URL the file led to');
  assert.equal(existsSync(fileURLToPath(record.argv[0] ?? 'file:///nonexistent')), false, 'the file nobody will read is removed');
  signalCli('SIGINT');
  assert.equal((await running.done).code, 0);
});

test('a taken port fails LOOPBACK_LISTEN_FAILED (exit 4); bad arguments fail USAGE (exit 2)', { timeout: 60_000 }, async () => {
  const cli = await Cli.create();
  const held = await holdPort();
  try {
    assertFailed(await cli.run(['ui', '--port', String(held.port), '--no-open']), 4, 'LOOPBACK_LISTEN_FAILED');
  } finally {
    await held.release();
  }
  assertFailed(await cli.run(['ui', '--port', 'eighty']), 2, 'USAGE');
  assertFailed(await cli.run(['ui', '--port', '70000']), 2, 'USAGE');
  assertFailed(await cli.run(['ui', 'now']), 2, 'USAGE');
  assertFailed(await cli.run(['ui', '--open']), 2, 'USAGE');
  const help = await cli.run(['ui', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /oidc-desk ui \[--port <n>\] \[--no-open\]/);
});

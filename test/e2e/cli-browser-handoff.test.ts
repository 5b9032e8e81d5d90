/**
 * `oidc-desk login` with the system opener: the opener (a stand-in `xdg-open` found first on PATH) gets
 * only the `file:` URL of a 0600 redirect file, never the authorization URL; no process's argv holds the
 * URL, its state, nonce or PKCE challenge while the sign-in waits; Chromium follows the file to the real
 * provider and the sign-in completes; the file is gone once the sign-in has ended, however it ended.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../harness/browser.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { Cli, KEYRING, NO_KEYRING, SESSION_ID, assertFailed, children, endCliRuns } from '../harness/cli-runner.ts';
import { StandInOpener, assertNoSecretInAnyArgv, pageTarget } from '../harness/stand-in-opener.ts';

let idp: TestIdp;
let opener: StandInOpener;

before(async () => {
  idp = await startTestIdp();
  opener = await StandInOpener.install();
});

after(async () => {
  opener?.stop();
  await idp?.stop();
  endCliRuns();
});

async function userWithOpener(fail = false): Promise<{ cli: Cli; log: string; env: Record<string, string> }> {
  const cli = await Cli.create();
  const r = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent']);
  assert.equal(r.code, 0, r.stderr);
  const { env, log } = await opener.env(fail);
  return { cli, log, env };
}

test('the system opener gets a 0600 redirect file, no argv holds the URL or its secrets, Chromium signs in through it, and the file is gone afterwards', { skip: KEYRING ? false : NO_KEYRING, timeout: 180_000 }, async () => {
  const { cli, log, env } = await userWithOpener();
  const running = cli.start(['login', 'local', '--timeout', '120'], env);
  const record = await opener.record(log);

  assert.equal(record.argv.length, 1, 'the opener gets one argument');
  const [handed = ''] = record.argv;
  assert.match(handed, /^file:\/\/\/.+\/sign-in\.html$/, 'a file: URL');
  assert.equal(record.fileStat, `600 ${process.getuid?.() ?? 0} regular file`, 'the file is 0600, ours, not a link');
  assert.equal(record.dirStat, `700 ${process.getuid?.() ?? 0}`, 'in a 0700 directory of ours');

  const authorization = pageTarget(record.content);
  const state = authorization.searchParams.get('state') ?? '';
  const nonce = authorization.searchParams.get('nonce') ?? '';
  const challenge = authorization.searchParams.get('code_challenge') ?? '';
  recordSecrets(state, nonce);
  assert.equal(authorization.origin, idp.issuer, 'the page leads to the provider');
  assert.ok(state.length >= 16 && challenge.length >= 43 && nonce.length >= 16);
  const secrets = [authorization.href, state, nonce, challenge, authorization.pathname + authorization.search];
  for (const s of secrets) assert.ok(!handed.includes(s), 'the opener\'s argument holds none of them');
  await assertNoSecretInAnyArgv(secrets, 'while the sign-in waits (opener running)');

  const redirectPrefix = authorization.searchParams.get('redirect_uri') ?? '';
  const browser = await openBrowser();
  try {
    // As a browser started with the file would: open the file: URL; its meta refresh leads to the provider.
    const session = await browser.openAuthorization(handed, { redirectPrefix });
    assert.equal(session.initialStep, 'login', 'the redirect page led Chromium to the provider\'s login page');
    await assertNoSecretInAnyArgv(secrets, 'while the sign-in waits (Chromium on the login page)');
    const user = DEMO_USERS[0]!;
    assert.equal(await session.submitLogin(user.username, user.password), 'consent');
    recordSecrets(...(await session.approveConsent().then((u) => [new URL(u).searchParams.get('code')])));
    await session.close();
  } finally {
    await browser.close();
  }

  const done = await running.done;
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout.trim(), SESSION_ID);
  assert.ok(!done.stderr.includes(state) && !done.stderr.includes(challenge), 'the URL is not printed when the browser was opened');
  const path = fileURLToPath(handed);
  assert.equal(existsSync(path), false, 'the redirect file is removed once the sign-in has ended');
  assert.equal(existsSync(dirname(path)), false, 'and its directory');
  assert.equal((await cli.run(['logout', done.stdout.trim()])).code, 0);
});

test('a sign-in that times out removes the redirect file too', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const { cli, log, env } = await userWithOpener();
  const running = cli.start(['login', 'local', '--timeout', '3'], env);
  const record = await opener.record(log);
  recordSecrets(pageTarget(record.content).searchParams.get('state'), pageTarget(record.content).searchParams.get('nonce'));
  assertFailed(await running.done, 3, 'FLOW_TIMEOUT');
  assert.equal(existsSync(fileURLToPath(record.argv[0] ?? 'file:///nonexistent')), false);
});

test('an opener that fails: the URL is printed on stderr for the user instead, and the redirect file is removed at once', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const { cli, log, env } = await userWithOpener(true);
  const running = cli.start(['login', 'local', '--timeout', '60'], env);
  const record = await opener.record(log);
  const match = await running.stderrMatching(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m);
  const printed = new URL(match[1] ?? '');
  recordSecrets(printed.searchParams.get('state'), printed.searchParams.get('nonce'));
  assert.equal(printed.href, pageTarget(record.content).href, 'the URL of the redirect file is printed');
  const path = fileURLToPath(record.argv[0] ?? 'file:///nonexistent');
  // The file goes when the opener's failure is seen, which is what printed the URL.
  assert.equal(existsSync(path), false, 'the file nobody will read is removed');
  assert.equal(existsSync(dirname(path)), false);
  for (const child of children) child.kill('SIGINT'); // Ctrl-C: the only CLI running now
  assertFailed(await running.done, 3, 'SIGN_IN_CANCELLED');
});

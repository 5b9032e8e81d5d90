/**
 * `oidc-desk login` with the system opener: the opener (a stand-in `xdg-open` found first on PATH) gets
 * only the `file:` URL of a 0600 redirect file, never the authorization URL; no process's argv holds the
 * URL, its state, nonce or PKCE challenge while the sign-in waits; Chromium follows the file to the real
 * provider and the sign-in completes; the file is gone once the sign-in has ended, however it ended.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../harness/browser.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { Cli, KEYRING, NO_KEYRING, SESSION_ID, assertFailed, children, endCliRuns } from '../harness/cli-runner.ts';

/**
 * Stand-in for xdg-open. Records what it was given (and the mode, owner and content of a file: argument),
 * then stays alive holding its arguments, as a browser started by xdg-open does; with OPENER_FAIL set it
 * fails instead. The argv record is written last: its presence means the rest is there.
 */
const STAND_IN = `#!/bin/sh
log="$OIDC_DESK_TEST_OPENER_LOG"
for a in "$@"; do
  case "$a" in
    file://*)
      p="\${a#file://}"
      stat -c '%a %u %F' "$p" > "$log/file-stat"
      stat -c '%a %u' "$(dirname "$p")" > "$log/dir-stat"
      cat "$p" > "$log/content"
      ;;
  esac
done
echo $$ > "$log/pid"
printf '%s\\0' "$@" > "$log/argv.tmp" && mv "$log/argv.tmp" "$log/argv"
[ -n "$OPENER_FAIL" ] && exit 3
exec "$OIDC_DESK_TEST_NODE" -e 'setTimeout(() => undefined, 300000)' -- "$@"
`;

let idp: TestIdp;
let binDir: string;
const openerPids: number[] = [];

before(async () => {
  idp = await startTestIdp();
  binDir = await mkdtemp(join(tmpdir(), 'oidc-desk-opener-'));
  await writeFile(join(binDir, 'xdg-open'), STAND_IN);
  await chmod(join(binDir, 'xdg-open'), 0o755);
});

after(async () => {
  for (const pid of openerPids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await idp?.stop();
  endCliRuns();
});

interface OpenerRecord {
  readonly argv: string[];
  readonly fileStat: string;
  readonly dirStat: string;
  readonly content: string;
}

/** Waits (a safety limit, not a timing assertion) until the stand-in opener has run, and reads its record. */
async function openerRecord(log: string): Promise<OpenerRecord> {
  for (let i = 0; i < 600 && !existsSync(join(log, 'argv')); i += 1) await sleep(100);
  const read = (name: string): Promise<string> => readFile(join(log, name), 'utf8').catch(() => '');
  openerPids.push(Number((await read('pid')).trim()));
  return {
    argv: (await read('argv')).split('\0').slice(0, -1),
    fileStat: (await read('file-stat')).trim(),
    dirStat: (await read('dir-stat')).trim(),
    content: await read('content'),
  };
}

/** The authorization URL the redirect page leads to. */
function pageTarget(content: string): URL {
  const raw = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(content)?.[1] ?? '';
  return new URL(raw.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))));
}

/** Every process's argv, as any local user can read it. */
async function allCommandLines(): Promise<{ pid: string; cmdline: string }[]> {
  const out: { pid: string; cmdline: string }[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline !== '') out.push({ pid, cmdline: cmdline.replaceAll('\0', ' ') });
  }
  return out;
}

async function assertNoSecretInAnyArgv(secrets: readonly string[], when: string): Promise<void> {
  const lines = await allCommandLines();
  assert.ok(lines.length > 3, 'the process table is readable');
  const hits = lines.filter((l) => secrets.some((s) => l.cmdline.includes(s)));
  assert.deepEqual(hits.map((h) => h.pid), [], `${when}: no process argv holds the authorization URL, state, nonce or challenge`);
}

async function userWithOpener(fail = false): Promise<{ cli: Cli; log: string; env: Record<string, string> }> {
  const cli = await Cli.create();
  const r = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent']);
  assert.equal(r.code, 0, r.stderr);
  const log = await mkdtemp(join(tmpdir(), 'oidc-desk-opener-log-'));
  const env: Record<string, string> = {
    PATH: `${binDir}:${process.env['PATH'] ?? ''}`,
    OIDC_DESK_TEST_OPENER_LOG: log,
    OIDC_DESK_TEST_NODE: process.execPath,
    ...(fail ? { OPENER_FAIL: '1' } : {}),
  };
  return { cli, log, env };
}

test('the system opener gets a 0600 redirect file, no argv holds the URL or its secrets, Chromium signs in through it, and the file is gone afterwards', { skip: KEYRING ? false : NO_KEYRING, timeout: 180_000 }, async () => {
  const { cli, log, env } = await userWithOpener();
  const running = cli.start(['login', 'local', '--timeout', '120'], env);
  const record = await openerRecord(log);

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
  const record = await openerRecord(log);
  recordSecrets(pageTarget(record.content).searchParams.get('state'), pageTarget(record.content).searchParams.get('nonce'));
  assertFailed(await running.done, 3, 'FLOW_TIMEOUT');
  assert.equal(existsSync(fileURLToPath(record.argv[0] ?? 'file:///nonexistent')), false);
});

test('an opener that fails: the URL is printed on stderr for the user instead, and the redirect file is removed at once', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const { cli, log, env } = await userWithOpener(true);
  const running = cli.start(['login', 'local', '--timeout', '60'], env);
  const record = await openerRecord(log);
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

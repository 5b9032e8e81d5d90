/**
 * `oidc-desk login` for the Okta session token flow, end to end with the built CLI, the real keychain and a
 * LOCAL STAND-IN for Okta's Authentication API (test/harness/okta-authn-stand-in.ts: not Okta, it follows
 * Okta's documented shapes) in front of the real oidc-provider: the profile made with its warning, the
 * password from stdin, a session with its refresh token in the keychain, MFA_REQUIRED and a wrong password
 * with their exit statuses, and no password, session token or code in any output or data file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fingerprint } from '../../src-main/core/http/redact.ts';
import { assertFailed, BIN, Cli, dataFilesText, endCliRuns, KEYRING, neverPrinted, NO_KEYRING, ROOT, SESSION_ID, succeeded, transcript } from '../harness/cli-runner.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { oktaIssued, type OktaAccount } from '../harness/okta-authn-stand-in.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { testSecret, testUser } from '../harness/service-clients.ts';

const USER = testUser();
const MFA: OktaAccount = { username: 'gil', password: testSecret('cli-gil-pw'), status: 'MFA_REQUIRED' };
const WRONG = testSecret('cli-okta-wrong-pw');
const PASSWORDS = [USER.password, MFA.password, WRONG];

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ users: [USER], okta: { accounts: [{ username: USER.username, password: USER.password, status: 'SUCCESS' }, MFA] } });
  neverPrinted.push(...PASSWORDS, ...PASSWORDS.map(fingerprint));
});
after(async () => {
  await idp?.stop();
  endCliRuns();
});

test('login --username --password-stdin: a session without a browser; MFA_REQUIRED and a wrong password refused; nothing secret printed', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const cli = await Cli.create();
  const add = succeeded(await cli.run(['profile', 'add', 'okta', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--flow', 'okta_session_token', '--scope', 'openid profile email offline_access']));
  assert.match(add.stderr, /classic engine/, 'the warning when the profile is made');
  assert.match(add.stderr, /Register http:\/\/127\.0\.0\.1\/callback as a sign-in redirect URI/);
  assert.match(add.stderr, /oidc-desk login okta --username <name>/);
  const list = succeeded(await cli.run(['profile', 'list']));
  assert.match(list.stdout, /flow=okta_session_token\tclient-auth=none/);
  assertFailed(await cli.run(['profile', 'add', 'x', '--issuer', idp.issuer, '--client-id', 'c', '--allow-http-loopback', '--flow', 'okta_session_token', '--client-auth', 'client_secret_basic']), 2, 'PROFILE_INVALID');

  assertFailed(await cli.run(['login', 'okta']), 2, 'USAGE');
  assertFailed(await cli.start(['login', 'okta', '--client-secret-stdin'], {}, false, 'not-a-secret\n').done, 2, 'USAGE');
  // No terminal: the password must come with --password-stdin.
  assertFailed(await cli.run(['login', 'okta', '--username', USER.username]), 2, 'USAGE');

  const wrong = await cli.start(['login', 'okta', '--username', USER.username, '--password-stdin'], {}, false, `${WRONG}\n`).done;
  assertFailed(wrong, 3, 'OKTA_INVALID_CREDENTIALS');
  const mfa = await cli.start(['login', 'okta', '--username', MFA.username, '--password-stdin'], {}, false, `${MFA.password}\n`).done;
  assertFailed(mfa, 3, 'OKTA_MFA_REQUIRED');
  assert.match(mfa.stderr, /browser sign-in/, 'it says what to use instead');
  assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no code was exchanged for either');

  const login = succeeded(await cli.start(['login', 'okta', '--username', USER.username, '--password-stdin'], {}, false, `${USER.password}\n`).done);
  assert.match(login.stdout, /^s-[0-9a-f]{8}\n$/, 'login prints exactly the session id');
  const id = login.stdout.trim();
  assert.match(id, SESSION_ID);
  assert.match(login.stderr, /classic engine/, 'the warning at every sign-in');
  assert.match(login.stderr, /Signed in as Carol Example \(user-carol\)/);
  await cli.storedRefreshToken(id);
  const sessions = await cli.json(['sessions']) as Record<string, unknown>[];
  assert.deepEqual(sessions.map((s) => [s['id'], s['subject'], s['status']]), [[id, USER.sub, 'active']]);
  const refreshed = await cli.json(['refresh', id]) as Record<string, unknown>;
  assert.equal(refreshed['status'], 'active');
  await cli.storedRefreshToken(id);
  recordSecrets(succeeded(await cli.run(['token', id])).stdout.trim(), succeeded(await cli.run(['token', id, '--type', 'id'])).stdout.trim());

  const issued = await oktaIssued(idp.issuer);
  assert.equal(issued.sessionTokens.length, 1, 'one session token, for the one successful sign-in');
  const everything = transcript.join('\n') + await dataFilesText(cli.dataDir);
  for (const secret of [...PASSWORDS, ...PASSWORDS.map(fingerprint), ...issued.sessionTokens, ...issued.codes]) {
    assert.ok(!everything.includes(secret), 'no password, session token or code in any output or data file');
  }
  succeeded(await cli.run(['logout', id]));
});

/** util-linux's `script`: runs a command on a pseudo-terminal, whose echo stays on unless the program turns it off. */
const SCRIPT = '/usr/bin/script';

test('login --username at a terminal: the password is asked for without echo', { skip: !KEYRING ? NO_KEYRING : existsSync(SCRIPT) ? false : `needs ${SCRIPT} (util-linux) for a pseudo-terminal`, timeout: 120_000 }, async () => {
  const cli = await Cli.create();
  succeeded(await cli.run(['profile', 'add', 'okta', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--flow', 'okta_session_token']));
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, BIN, '--data-dir', cli.dataDir, 'login', 'okta', '--username', USER.username].map(quote).join(' ');
  const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], { cwd: ROOT, env: cli.env(), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let typed = false;
  const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      // Typed only once the prompt is there: by then the CLI has turned the terminal's echo off.
      if (!typed && output.includes('(not shown): ')) {
        typed = true;
        child.stdin.write(`${USER.password}\r`);
      }
    });
  }
  const code = await exit;
  transcript.push(output);
  assert.equal(code, 0, output);
  assert.match(output, /Okta password for carol \(not shown\): /);
  assert.match(output, /^s-[0-9a-f]{8}\r?$/m, 'the session id');
  assert.ok(!output.includes(USER.password), 'the password typed was not echoed');
  const id = /^(s-[0-9a-f]{8})\r?$/m.exec(output)?.[1] ?? '';
  await cli.storedRefreshToken(id);
  succeeded(await cli.run(['logout', id]));
});

/**
 * Terminal control characters in text the CLI did not write itself: a hand-edited profiles.json and
 * sessions.json, values typed on the command line, and a provider whose claims, subject and error
 * descriptions carry ESC, BEL, CSI, CR, U+2028, U+009B and line breaks. Every command that prints them
 * shows them escaped (human output) or JSON-escaped (--json, values intact), never raw.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertTerminalSafe, hostile } from '../harness/pasted-values.ts';
import { freePort } from '../harness/ports.ts';
import { startScriptedIdp, type Script, type ScriptedIdp } from '../harness/scripted-idp.ts';
import { Cli, FETCH_BROWSER_COMMAND, KEYRING, NO_KEYRING, SESSION_ID, assertFailed, endCliRuns, isRecord, type CliRun } from '../harness/cli-runner.ts';

after(() => {
  endCliRuns();
});

function safe(r: CliRun, label: string): CliRun {
  assertTerminalSafe(r.stdout, `${label} (stdout)`);
  assertTerminalSafe(r.stderr, `${label} (stderr)`);
  return r;
}

function parsed(r: CliRun, label: string): unknown {
  assert.equal(r.code, 0, `${label}:\n${r.stderr}`);
  safe(r, label);
  return JSON.parse(r.stdout) as unknown;
}

async function writeDataFile(dataDir: string, name: string, doc: unknown): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, name), JSON.stringify({ schemaVersion: 1, ...(doc as object) }), { mode: 0o600 });
}

test('a hand-edited profiles.json and sessions.json: profile list, sessions, login, token, inspect, logout show their text escaped', async () => {
  const cli = await Cli.create();
  // Control characters in an issuer, client id or redirect make the whole profiles file refused (kept aside,
  // reported on every start, the report escaped); in a parameter value they are kept and shown escaped.
  await writeDataFile(cli.dataDir, 'profiles.json', {
    profiles: [{ name: 'hostile', issuer: `https://idp.example/${hostile('issuer')}`, clientId: 'client\u007f\u009b31m', scopes: ['openid'], redirect: `com.example.app:/cb${hostile('redirect')}` }],
  });
  const refused = safe(await cli.run(['profile', 'list', '--json']), 'profile list (a refused profiles file)');
  assert.equal(refused.code, 0, refused.stderr);
  assert.deepEqual(JSON.parse(refused.stdout), []);
  assert.match(refused.stderr, /profiles\.json could not be used/);
  for (const aside of (await readdir(cli.dataDir)).filter((f) => f.startsWith('profiles.json.corrupt-'))) await rm(join(cli.dataDir, aside));
  const issuer = `https://127.0.0.1:${await freePort()}`;
  await writeDataFile(cli.dataDir, 'profiles.json', {
    profiles: [
      { name: 'hostile', issuer, clientId: 'client', scopes: ['openid'], redirect: 'loopback', extraParams: { prompt: hostile('param') } },
      { name: 'hostile-app', issuer, clientId: 'client', scopes: ['openid'], redirect: 'com.example.app:/cb' },
    ],
  });
  const now = Date.now();
  const record = { clientId: hostile('client'), subject: hostile('sub'), scopes: ['openid', hostile('scope')], createdAt: now, updatedAt: now, status: 'active', hasRefreshToken: false };
  // A session id is a file name and a keychain account: one with control characters makes the index refused
  // (covered in the data directory tests); the other fields carry the hostile text here.
  const hostileId = 's-0000dead';
  await writeDataFile(cli.dataDir, 'sessions.json', {
    sessions: [
      { ...record, id: hostileId, profile: 'hostile', issuer },
      { ...record, id: 's-0000beef', profile: hostile('profile'), issuer: `https://idp.example/${hostile('index-issuer')}`, displayName: hostile('name'), accessTokenExpiresAt: now + 60_000 },
    ],
    revocations: [],
  });

  safe(await cli.run(['profile', 'list']), 'profile list');
  const profiles = parsed(await cli.run(['profile', 'list', '--json']), 'profile list --json');
  assert.ok(Array.isArray(profiles) && isRecord(profiles[0]));
  assert.equal(profiles[0]['issuer'], issuer, 'JSON keeps the value, escaped');
  assert.deepEqual(profiles[0]['params'], { prompt: hostile('param') });

  const table = safe(await cli.run(['sessions']), 'sessions');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /\\u001b\[2J/, 'ESC is shown as \\u001b');
  const list = parsed(await cli.run(['sessions', '--json']), 'sessions --json');
  assert.ok(Array.isArray(list) && isRecord(list[1]));
  assert.equal(list[1]['displayName'], hostile('name'));
  assert.equal(list[1]['profile'], hostile('profile'));

  assertFailed(safe(await cli.run(['login', 'hostile', '--no-open', '--timeout', '10']), 'login (unreachable issuer)'), 4, 'HTTP_NETWORK');
  assertFailed(safe(await cli.run(['login', 'hostile-app', '--no-open', '--timeout', '10']), 'login (custom scheme)'), 2, 'REDIRECT_UNSUPPORTED');
  for (const command of ['token', 'inspect', 'refresh', 'userinfo']) {
    // No refresh token, an unreachable issuer: the command fails (3 or 4, whichever it meets first); what it prints is safe.
    const r = safe(await cli.run([command, hostileId]), command);
    assertFailed(r, r.code === 4 ? 4 : 3, /^error (SIGN_IN_NEEDED|HTTP_NETWORK): /m);
  }
  const out = safe(await cli.run(['logout', hostileId, '--no-revoke']), 'logout');
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /Signed out of s-0000dead/);

  const added = safe(await cli.run(['profile', 'add', 'typed', '--issuer', `https://idp.example/${hostile('typed')}`, '--client-id', 'c\u009b\u007f',
    '--redirect', `com.example.app:/cb${hostile('typed-redirect')}`, '--param', `prompt=${hostile('typed-param')}`]), 'profile add');
  // Control characters in an issuer, client id or redirect are refused; the refusal repeats none of them.
  assert.equal(added.code, 2, added.stderr);
});

// ---- a provider whose every text is hostile ----

const SUBJECT = hostile('sub');
const NAME = hostile('name');
const DESCRIPTION = hostile('error_description');

const SCRIPT: Script = {
  idTokenClaims: { sub: SUBJECT, name: NAME, email: hostile('email'), [hostile('claim-name')]: hostile('claim') },
  userinfo: { sub: SUBJECT, name: NAME, [hostile('userinfo-claim')]: { nested: hostile('nested') } },
  revocation: { status: 400, json: { error: 'invalid_request', error_description: DESCRIPTION } },
  scope: 'openid profile offline_access',
};

let idp: ScriptedIdp;

before(async () => {
  idp = await startScriptedIdp(SCRIPT);
});

after(async () => {
  await idp?.stop();
});

test('a provider with terminal control in its subject, claims, userinfo and error descriptions: login, sessions, inspect, userinfo, token, refresh and logout show it escaped', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  idp.script = SCRIPT;
  const cli = await Cli.create();
  assert.equal((await cli.run(['profile', 'add', 'evil', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--scope', 'openid profile offline_access'])).code, 0);
  const login = safe(await cli.run(['login', 'evil', '--browser-command', FETCH_BROWSER_COMMAND, '--timeout', '60']), 'login');
  assert.equal(login.code, 0, login.stderr);
  const id = login.stdout.trim();
  assert.match(id, SESSION_ID);
  assert.match(login.stderr, /Signed in as name\\u001b\[2J.* \(sub\\u001b\[2J/, 'the account is named, escaped');

  safe(await cli.run(['sessions']), 'sessions');
  const sessions = parsed(await cli.run(['sessions', '--json']), 'sessions --json');
  assert.ok(Array.isArray(sessions) && isRecord(sessions[0]));
  assert.equal(sessions[0]['subject'], SUBJECT);
  assert.equal(sessions[0]['displayName'], NAME);

  const report = safe(await cli.run(['inspect', id]), 'inspect');
  assert.equal(report.code, 0, report.stderr);
  const json = parsed(await cli.run(['inspect', id, '--json']), 'inspect --json');
  assert.ok(isRecord(json) && isRecord(json['claims']));
  assert.equal(json['claims'][hostile('claim-name')], hostile('claim'));

  safe(await cli.run(['userinfo', id]), 'userinfo');
  const info = parsed(await cli.run(['userinfo', id, '--json']), 'userinfo --json');
  assert.ok(isRecord(info) && isRecord(info['claims']));
  assert.equal(info['claims']['name'], NAME);

  const token = parsed(await cli.run(['token', id, '--json']), 'token --json');
  assert.ok(isRecord(token));
  idp.script = { ...SCRIPT, accessTokenSuffix: hostile('access-token') };
  // The cached token is still valid: a refresh brings the hostile one.
  assert.equal(safe(await cli.run(['refresh', id]), 'refresh').code, 0);
  const bad = safe(await cli.run(['token', id]), 'token (an access token with control characters)');
  idp.script = SCRIPT;
  assert.equal(bad.code, 0, bad.stderr);
  assert.equal(bad.stdout.split('\n').length, 2, 'still one line');
  safe(await cli.run(['refresh', id]), 'refresh');
  parsed(await cli.run(['refresh', id, '--json']), 'refresh --json');

  const out = safe(await cli.run(['logout', id]), 'logout');
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /could not be revoked/, 'the refused revocation is reported');
  assert.match(out.stderr, /error_description\\u001b\[2J/, 'with the provider\'s words, escaped');
});

test('sign-in errors carrying a hostile error_description (token endpoint, error= callback) show it escaped', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await Cli.create();
  assert.equal((await cli.run(['profile', 'add', 'evil', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback'])).code, 0);
  const cases: [Partial<Script>, string][] = [
    [{ tokenError: { error: 'invalid_grant', description: DESCRIPTION } }, 'INVALID_GRANT'],
    [{ authorizeError: { error: 'access_denied', description: DESCRIPTION } }, 'SIGN_IN_CANCELLED'],
    [{ authorizeError: { error: 'server_error', description: DESCRIPTION } }, 'AUTHORIZATION_ERROR'],
  ];
  for (const [change, code] of cases) {
    idp.script = { ...SCRIPT, ...change };
    const r = safe(await cli.run(['login', 'evil', '--browser-command', FETCH_BROWSER_COMMAND, '--timeout', '60']), `login (${code})`);
    assertFailed(r, 3, code);
    assert.match(r.stderr, /the provider said: .*error_description\\u001b\[2J/, `${code}: the provider's words are shown, escaped`);
  }
  idp.script = SCRIPT;
});

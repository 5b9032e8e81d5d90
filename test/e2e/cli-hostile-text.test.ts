/**
 * Terminal control characters in text the CLI did not write itself: a hand-edited profiles.json and
 * sessions.json, values typed on the command line, and a provider whose claims, subject and error
 * descriptions carry ESC, BEL, CSI, CR, U+2028, U+009B and line breaks. Every command that prints them
 * shows them escaped (human output) or JSON-escaped (--json, values intact), never raw.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHostileIdp, type HostileIdp, type HostileReply } from '../harness/hostile-idp.ts';
import { assertTerminalSafe, hostile } from '../harness/pasted-values.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { Cli, KEYRING, NO_KEYRING, SESSION_ID, assertFailed, closedPort, endCliRuns, isRecord, type CliRun } from '../harness/cli-runner.ts';

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
  const issuer = `https://127.0.0.1:${await closedPort()}/${hostile('issuer')}`;
  await writeDataFile(cli.dataDir, 'profiles.json', {
    profiles: [
      { name: 'hostile', issuer, clientId: 'client\u007f\u009b31m', scopes: ['openid'], redirect: 'loopback', extraParams: { prompt: hostile('param') } },
      { name: 'hostile-app', issuer, clientId: 'client\u009b2J', scopes: ['openid'], redirect: `com.example.app:/cb${hostile('redirect')}` },
    ],
  });
  const now = Date.now();
  const record = { clientId: hostile('client'), subject: hostile('sub'), scopes: ['openid', hostile('scope')], createdAt: now, updatedAt: now, status: 'active', hasRefreshToken: false };
  const hostileId = `s-${hostile('id')}`;
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
  assert.match(out.stderr, /Signed out of s-id\\u001b/);

  const added = safe(await cli.run(['profile', 'add', 'typed', '--issuer', `https://idp.example/${hostile('typed')}`, '--client-id', 'c\u009b\u007f',
    '--redirect', `com.example.app:/cb${hostile('typed-redirect')}`, '--param', `prompt=${hostile('typed-param')}`]), 'profile add');
  assert.equal(added.code, 0, added.stderr);
});

// ---- a provider whose every text is hostile ----

const SUBJECT = hostile('sub');
const NAME = hostile('name');
const DESCRIPTION = hostile('error_description');

interface Mode {
  /** What /authorize does: redirect with a code, or with this error. */
  authorizeError?: string;
  /** What the code exchange answers. */
  tokenError?: boolean;
  /** An access token with control characters and a line break in it (no valid Bearer token has any). */
  hostileAccessToken?: boolean;
}

let mode: Mode = {};
let idp: HostileIdp;
let authorize: Server;
const nonces = new Map<string, string>();

function issued(prefix: string): string {
  const value = `${prefix}-${randomBytes(24).toString('base64url')}`;
  recordSecrets(value);
  return value;
}

async function tokenReply(form: URLSearchParams, provider: HostileIdp): Promise<HostileReply> {
  if (form.get('grant_type') === 'authorization_code' && mode.tokenError) {
    return { status: 400, json: { error: 'invalid_grant', error_description: DESCRIPTION } };
  }
  const nonce = form.get('grant_type') === 'authorization_code' ? nonces.get(form.get('code') ?? '') : undefined;
  const claims = { sub: SUBJECT, name: NAME, email: hostile('email'), [hostile('claim-name')]: hostile('claim'), auth_time: 1_700_000_000, ...(nonce === undefined ? {} : { nonce }) };
  const idToken = await provider.signIdToken(claims);
  recordSecrets(idToken);
  const accessToken = mode.hostileAccessToken ? `${issued('at')}${hostile('access-token')}` : issued('at');
  return { json: { access_token: accessToken, token_type: 'Bearer', expires_in: 300, refresh_token: issued('rt'), id_token: idToken, scope: 'openid profile offline_access' } };
}

before(async () => {
  authorize = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://127.0.0.1:1/');
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    back.searchParams.set('iss', idp.issuer);
    if (mode.authorizeError !== undefined) {
      back.searchParams.set('error', mode.authorizeError);
      back.searchParams.set('error_description', DESCRIPTION);
    } else {
      const code = issued('code');
      nonces.set(code, url.searchParams.get('nonce') ?? '');
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.href }).end();
  });
  await new Promise<void>((resolve) => authorize.listen(0, '127.0.0.1', resolve));
  idp = await startHostileIdp({
    metadata: { authorization_endpoint: `http://127.0.0.1:${(authorize.address() as AddressInfo).port}/authorize` },
    token: tokenReply,
    userinfo: () => ({ json: { sub: SUBJECT, name: NAME, [hostile('userinfo-claim')]: { nested: hostile('nested') } } }),
    revocation: () => ({ status: 400, json: { error: 'invalid_request', error_description: DESCRIPTION } }),
  });
});

after(async () => {
  await idp?.stop();
  authorize?.closeAllConnections();
  await new Promise<void>((resolve) => (authorize ? authorize.close(() => resolve()) : resolve()));
});

/** A browser stand-in: follows the authorization URL's redirects, so the loopback gets its callback. */
const FETCH_BROWSER = `"${process.execPath}" -e "fetch(process.argv.at(-1)).then((r) => r.text()).then(() => process.exit(0), () => process.exit(1))"`;

test('a provider with terminal control in its subject, claims, userinfo and error descriptions: login, sessions, inspect, userinfo, token, refresh and logout show it escaped', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  mode = {};
  const cli = await Cli.create();
  assert.equal((await cli.run(['profile', 'add', 'evil', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--scope', 'openid profile offline_access'])).code, 0);
  const login = safe(await cli.run(['login', 'evil', '--browser-command', FETCH_BROWSER, '--timeout', '60']), 'login');
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
  mode = { hostileAccessToken: true };
  const bad = safe(await cli.run(['token', id]), 'token (an access token with control characters)');
  mode = {};
  assert.equal(bad.code, 0, bad.stderr);
  assert.equal(bad.stdout.split('\n').length, 2, 'still one line');
  safe(await cli.run(['refresh', id]), 'refresh');
  parsed(await cli.run(['refresh', id, '--json']), 'refresh --json');

  const out = safe(await cli.run(['logout', id]), 'logout');
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /did not accept the revocation/, 'the refused revocation is reported');
  assert.match(out.stderr, /error_description\\u001b\[2J/, 'with the provider\'s words, escaped');
});

test('sign-in errors carrying a hostile error_description (token endpoint, error= callback) show it escaped', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await Cli.create();
  assert.equal((await cli.run(['profile', 'add', 'evil', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback'])).code, 0);
  const cases: [Mode, string][] = [[{ tokenError: true }, 'INVALID_GRANT'], [{ authorizeError: 'access_denied' }, 'SIGN_IN_CANCELLED'], [{ authorizeError: 'server_error' }, 'AUTHORIZATION_ERROR']];
  for (const [m, code] of cases) {
    mode = m;
    const r = safe(await cli.run(['login', 'evil', '--browser-command', FETCH_BROWSER, '--timeout', '60']), `login (${code})`);
    assertFailed(r, 3, code);
    assert.match(r.stderr, /the provider said: .*error_description\\u001b\[2J/, `${code}: the provider's words are shown, escaped`);
  }
  mode = {};
});

/**
 * The `oidc-desk` CLI end to end: the real command as a child process (bin/oidc-desk.cjs) with its own
 * data directory and keychain service, signing in through headless Chromium (--browser-command) against
 * the local provider and the embedded demo provider; then the contract's bad inputs and exit codes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readDemoState, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { openBrowser } from '../harness/browser.ts';
import { startHostileIdp, type HostileIdp } from '../harness/hostile-idp.ts';
import { DEMO_USERS, startTestIdp, type TestIdp } from '../harness/idp.ts';
import { freePort } from '../harness/ports.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import {
  BROWSER_COMMAND, Cli, KEYRING, NO_KEYRING, SESSION_ID, assertFailed, endCliRuns, introspectionActive, isRecord, revokeAtProvider,
} from '../harness/cli-runner.ts';

let idp: TestIdp;
let hostile: HostileIdp | undefined;
const demoDirs: string[] = [];

before(async () => {
  idp = await startTestIdp();
});

after(async () => {
  for (const dir of demoDirs) await stopDemoProvider({ dataDir: dir }).catch(() => undefined);
  await hostile?.stop();
  await idp?.stop();
  endCliRuns();
});

/** A CLI user with the "local" profile for the test provider (prompt=consent: oidc-provider then issues refresh tokens). */
async function localCli(): Promise<Cli> {
  const cli = await Cli.create();
  const r = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  return cli;
}

test('local provider: profile add, login, sessions, token, inspect, refresh, userinfo, logout; then introspection shows the token inactive', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await localCli();
  const profiles = await cli.json(['profile', 'list']);
  assert.ok(Array.isArray(profiles) && profiles.length === 1 && isRecord(profiles[0]));
  assert.equal(profiles[0]['redirect'], 'loopback', 'profiles made by the CLI default to a loopback redirect');

  const id = await cli.login('local');
  assert.match(id, SESSION_ID);
  await cli.storedRefreshToken(id);

  const list = await cli.json(['sessions']);
  assert.ok(Array.isArray(list) && list.length === 1 && isRecord(list[0]));
  const entry = list[0];
  assert.equal(entry['id'], id);
  assert.equal(entry['profile'], 'local');
  assert.equal(entry['subject'], DEMO_USERS[0]!.sub);
  assert.equal(entry['status'], 'active');
  assert.equal(entry['storage'], 'keychain');
  assert.equal(typeof entry['expiresAt'], 'string');

  const tokenRun = await cli.run(['token', id]);
  assert.equal(tokenRun.code, 0, tokenRun.stderr);
  const lines = tokenRun.stdout.split('\n');
  assert.equal(lines.length, 2, 'exactly one line');
  assert.equal(lines[1], '');
  const accessToken = lines[0] ?? '';
  recordSecrets(accessToken);
  assert.match(accessToken, /^[A-Za-z0-9._~+/=-]{20,}$/, 'a token and nothing else');
  assert.equal(await introspectionActive(idp.issuer, accessToken), true);

  const idTokenRun = await cli.run(['token', id, '--type', 'id']);
  assert.equal(idTokenRun.code, 0, idTokenRun.stderr);
  const idToken = idTokenRun.stdout.trim();
  recordSecrets(idToken);
  assert.equal(idToken.split('.').length, 3, 'the ID token is a JWT');

  const report = await cli.json(['inspect', id]);
  assert.ok(isRecord(report) && Array.isArray(report['checks']));
  assert.equal(report['source'], 'session');
  assert.equal(report['valid'], true);
  assert.equal(report['signatureVerified'], true);
  assert.ok(report['checks'].every((c: unknown) => isRecord(c) && c['result'] !== 'fail'));
  assert.ok(isRecord(report['claims']) && report['claims']['sub'] === DEMO_USERS[0]!.sub);

  // A raw JWT whose iss matches the profile: verified against the provider's JWKS.
  const raw = await cli.json(['inspect', idToken]);
  assert.ok(isRecord(raw));
  assert.equal(raw['source'], 'jwt');
  assert.equal(raw['profile'], 'local');
  assert.equal(raw['signatureVerified'], true);
  assert.equal(raw['valid'], true);

  const refreshed = await cli.json(['refresh', id]);
  assert.ok(isRecord(refreshed));
  assert.equal(refreshed['id'], id);
  assert.equal(refreshed['status'], 'active');

  const info = await cli.json(['userinfo', id]);
  assert.ok(isRecord(info) && isRecord(info['claims']));
  assert.equal(info['claims']['sub'], DEMO_USERS[0]!.sub);

  await cli.storedRefreshToken(id); // rotated by now: the current one must not be printed either
  const out = await cli.run(['logout', id]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /revoked/);
  assert.equal(await introspectionActive(idp.issuer, accessToken), false, 'the access token printed before logout is inactive');
  assert.deepEqual(await cli.json(['sessions']), []);
  assertFailed(await cli.run(['token', id]), 2, 'SESSION_NOT_FOUND');
});

test('a rejected refresh: refresh exits 3, prints nothing, and the session needs a new sign-in; token then exits 3 too', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await localCli();
  const id = await cli.login('local');
  await revokeAtProvider(idp.issuer, await cli.storedRefreshToken(id));
  assertFailed(await cli.run(['refresh', id]), 3, 'SIGN_IN_NEEDED');
  assertFailed(await cli.run(['token', id]), 3, 'SIGN_IN_NEEDED');
  const list = await cli.json(['sessions']);
  assert.ok(Array.isArray(list) && isRecord(list[0]));
  assert.equal(list[0]['status'], 'sign-in-needed');
  assertFailed(await cli.run(['inspect', id]), 3, 'SIGN_IN_NEEDED');
  const out = await cli.run(['logout', id]);
  assert.equal(out.code, 0, out.stderr);
});

test('demo provider: "login demo" starts it, makes the demo profile and signs in; its grants survive a restart', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  const cli = await Cli.create();
  demoDirs.push(cli.dataDir);
  try {
    const id = await cli.login('demo');
    const state = await readDemoState(cli.dataDir);
    assert.ok(state?.pid, 'the demo provider runs and is recorded');
    const profiles = await cli.json(['profile', 'list']);
    assert.ok(Array.isArray(profiles) && isRecord(profiles[0]));
    assert.deepEqual(
      { name: profiles[0]['name'], issuer: profiles[0]['issuer'], clientId: profiles[0]['clientId'], redirect: profiles[0]['redirect'], params: profiles[0]['params'] },
      { name: 'demo', issuer: state.issuer, clientId: 'oidc-desk', redirect: 'loopback', params: { prompt: 'consent' } },
    );
    const report = await cli.json(['inspect', id]);
    assert.ok(isRecord(report));
    assert.equal(report['valid'], true);
    assert.equal(report['signatureVerified'], true);
    assert.equal(report['issuer'], state.issuer);

    // Stop it; the next request of the demo session starts it again on the same issuer, with the same keys and grants.
    assert.equal(await stopDemoProvider({ dataDir: cli.dataDir }), true);
    const r = await cli.run(['refresh', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Starting the demo provider/);
    assert.equal((await readDemoState(cli.dataDir))?.issuer, state.issuer);
    const out = await cli.run(['logout', id]);
    assert.equal(out.code, 0, out.stderr);
  } finally {
    await stopDemoProvider({ dataDir: cli.dataDir });
  }
});

test('unknown profile or session: exit 2', async () => {
  const cli = await Cli.create();
  assertFailed(await cli.run(['login', 'nope', '--no-open', '--timeout', '5']), 2, 'PROFILE_NOT_FOUND');
  assertFailed(await cli.run(['token', 's-00000000']), 2, 'SESSION_NOT_FOUND');
  assertFailed(await cli.run(['refresh', 's-00000000']), 2, 'SESSION_NOT_FOUND');
  assertFailed(await cli.run(['userinfo', 's-00000000']), 2, 'SESSION_NOT_FOUND');
  assertFailed(await cli.run(['logout', 's-00000000']), 2, 'SESSION_NOT_FOUND');
  assertFailed(await cli.run(['inspect', 's-00000000']), 2, 'SESSION_NOT_FOUND');
  assertFailed(await cli.run(['profile', 'remove', 'nope']), 2, 'PROFILE_NOT_FOUND');
});

test('usage errors: exit 2 with USAGE (no command, unknown option, --data-dir after the command, a refresh token asked for)', async () => {
  const cli = await Cli.create();
  assertFailed(await cli.run([]), 2, 'USAGE');
  assertFailed(await cli.run(['sessions', '--bogus']), 2, 'USAGE');
  assertFailed(await cli.run(['token', 's-00000000', '--type', 'refresh']), 2, 'USAGE');
  const r = await cli.run(['sessions']); // global --data-dir given by the harness: fine
  assert.equal(r.code, 0, r.stderr);
  const late = await cli.start(['sessions', '--data-dir', cli.dataDir], {}, true).done;
  assertFailed(late, 2, 'USAGE');
  assert.match(late.stderr, /global option/);
});

test('profile add: malformed issuer, http issuer without --allow-http-loopback (exit 2); nothing is stored', async () => {
  const cli = await Cli.create();
  assertFailed(await cli.run(['profile', 'add', 'bad', '--issuer', 'not a url', '--client-id', 'c']), 2, 'ISSUER_INVALID');
  assertFailed(await cli.run(['profile', 'add', 'bad', '--issuer', 'ftp://idp.example', '--client-id', 'c']), 2, 'ISSUER_INVALID');
  assertFailed(await cli.run(['profile', 'add', 'bad', '--issuer', idp.issuer, '--client-id', 'c']), 2, 'ISSUER_INSECURE');
  assertFailed(await cli.run(['profile', 'add', 'bad', '--issuer', 'http://idp.example', '--client-id', 'c', '--allow-http-loopback']), 2, 'ISSUER_INSECURE');
  assert.deepEqual(await cli.json(['profile', 'list']), []);
});

test('a custom-scheme profile: login refuses it (exit 2) until the desktop app can receive it', async () => {
  const cli = await Cli.create();
  const r = await cli.run(['profile', 'add', 'app', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--redirect', 'com.example.app:/callback']);
  assert.equal(r.code, 0, r.stderr);
  assertFailed(await cli.run(['login', 'app', '--no-open', '--timeout', '5']), 2, 'REDIRECT_UNSUPPORTED');
});

test('unreachable issuer: login exits 4', async () => {
  const cli = await Cli.create();
  const issuer = `http://127.0.0.1:${await freePort()}`;
  assert.equal((await cli.run(['profile', 'add', 'gone', '--issuer', issuer, '--client-id', 'c', '--allow-http-loopback'])).code, 0);
  assertFailed(await cli.run(['login', 'gone', '--no-open', '--timeout', '10']), 4, 'HTTP_NETWORK');
});

test('a provider whose metadata names another issuer: login exits 3 before any browser', async () => {
  hostile = await startHostileIdp({ metadataIssuer: (issuer) => `${issuer}/other` });
  const cli = await Cli.create();
  assert.equal((await cli.run(['profile', 'add', 'mismatch', '--issuer', hostile.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback'])).code, 0);
  assertFailed(await cli.run(['login', 'mismatch', '--no-open', '--timeout', '10']), 3, 'DISCOVERY_ISSUER_MISMATCH');
  assert.equal(hostile.counts['/authorize'], undefined, 'no authorization request was made');
});

test('inspect of a raw JWT: verified against the JWKS of the profile with its issuer; a tampered one exits 3; an unknown issuer is reported unverified', async () => {
  const signer = await startHostileIdp();
  try {
    const cli = await Cli.create();
    assert.equal((await cli.run(['profile', 'add', 'h', '--issuer', signer.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback'])).code, 0);
    const jwt = await signer.signIdToken({ sub: 'user-x', nonce: 'n-0123456789abcdef' });
    recordSecrets(jwt, 'n-0123456789abcdef');
    const ok = await cli.run(['inspect', jwt, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as unknown;
    assert.ok(isRecord(report) && isRecord(report['claims']));
    assert.equal(report['signatureVerified'], true);
    assert.equal(report['profile'], 'h');
    assert.ok(!ok.stdout.includes('n-0123456789abcdef'), 'the nonce claim is masked');

    const [h = '', p = '', s = ''] = jwt.split('.');
    const tampered = `${h}.${p}.${s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`}`;
    const bad = await cli.run(['inspect', tampered, '--json']);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /^error ID_TOKEN_SIGNATURE_INVALID: /m);
    const badReport = JSON.parse(bad.stdout) as unknown;
    assert.ok(isRecord(badReport));
    assert.equal(badReport['valid'], false, 'the report is printed, marked invalid');

    const stranger = await Cli.create();
    const unverified = await stranger.run(['inspect', jwt, '--json']);
    assert.equal(unverified.code, 0, unverified.stderr);
    const u = JSON.parse(unverified.stdout) as unknown;
    assert.ok(isRecord(u) && Array.isArray(u['checks']));
    assert.equal(u['signatureVerified'], false);
    assert.equal(u['profile'], null);
    const signature = u['checks'].find((c: unknown) => isRecord(c) && c['id'] === 'signature');
    assert.ok(isRecord(signature) && signature['result'] === 'not-applicable' && /not verified/.test(String(signature['detail'])));

    assertFailed(await stranger.run(['inspect', 'not-a-session-or-jwt']), 2, 'SESSION_NOT_FOUND');
  } finally {
    await signer.stop();
  }
});

test('a callback with a forged state gets 400 and is counted; the real sign-in still completes; no token request for the forged one', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const cli = await localCli();
  const running = cli.start(['login', 'local', '--no-open', '--timeout', '90']);
  const match = await running.stderrMatching(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m);
  const authorizationUrl = new URL(match[1] ?? '');
  recordSecrets(authorizationUrl.searchParams.get('state'), authorizationUrl.searchParams.get('nonce'));
  const redirectUri = authorizationUrl.searchParams.get('redirect_uri');
  assert.match(redirectUri ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  await idp.resetCounts();
  // Not real secrets, but the CLI must not echo callback parameters either: the after-run grep checks them.
  recordSecrets('forged-code-0123456789', 'forged-state-0123456789');
  const forged = new URL(redirectUri ?? '');
  forged.searchParams.set('code', 'forged-code-0123456789');
  forged.searchParams.set('state', 'forged-state-0123456789');
  forged.searchParams.set('iss', idp.issuer);
  const res = await fetch(forged, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 400);
  assert.doesNotMatch(await res.text(), /forged/);
  assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no token request for the forged callback');
  const browser = await openBrowser();
  try {
    const redirect = await browser.signIn(authorizationUrl.href, { username: DEMO_USERS[0]!.username, password: DEMO_USERS[0]!.password, redirectPrefix: redirectUri ?? '' });
    recordSecrets(...redirectSecrets(redirect));
  } finally {
    await browser.close();
  }
  const r = await running.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^s-[0-9a-f]{8}\n$/, 'the real sign-in completed');
  assert.match(r.stderr, /^warning: 1 request reached the sign-in's loopback listener without its state and was refused/m);
  assert.equal((await idp.counts())['token:authorization_code'], 1, 'exactly one token request: the real callback');
  await cli.storedRefreshToken(r.stdout.trim());
});

test('an error= callback (consent denied) ends the login with exit 3; a browser command that fails ends it with exit 2', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const cli = await localCli();
  await idp.resetCounts();
  assertFailed(await cli.run(['login', 'local', '--browser-command', `${BROWSER_COMMAND} --deny`, '--timeout', '90']), 3, 'SIGN_IN_CANCELLED');
  assert.equal((await idp.counts())['token:authorization_code'], undefined, 'no code exchange after error=access_denied');
  assertFailed(await cli.run(['login', 'local', '--browser-command', `"${join(cli.dataDir, 'no-such-browser')}" --flag`, '--timeout', '90']), 2, 'USAGE');
  assertFailed(await cli.run(['login', 'local', '--browser-command', `"${process.execPath}" -e "process.exit(7)"`, '--timeout', '90']), 2, 'USAGE');
  assert.deepEqual(await cli.json(['sessions']), []);
});

test('login --timeout: no browser answer ends the login with exit 3', { skip: KEYRING ? false : NO_KEYRING, timeout: 60_000 }, async () => {
  const cli = await localCli();
  assertFailed(await cli.run(['login', 'local', '--no-open', '--timeout', '1']), 3, 'FLOW_TIMEOUT');
});

test('keychain unavailable (no reachable D-Bus, no display): login exits 5 and says the CLI keeps sessions in the OS keychain', async () => {
  const cli = await localCli();
  const r = await cli.run(['login', 'local', '--no-open', '--timeout', '30'], {
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(cli.dataDir, 'no-such-bus')}`,
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
  });
  assertFailed(r, 5, /^error KEYCHAIN_(UNAVAILABLE|LOCKED|TIMEOUT): /m);
  assert.match(r.stderr, /keeps each session's refresh token in the OS keychain/);
  assert.deepEqual(await cli.json(['sessions']), []);
});

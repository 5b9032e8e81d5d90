/**
 * The `oidc-desk` CLI end to end against Glewlwyd, a second real provider with other habits than
 * oidc-provider: a fixed loopback redirect port, no ID token on refresh, revocation refused for a public
 * client (test/integration/glewlwyd-harness.test.ts records those habits on their own).
 */
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { BROWSER_COMMAND, Cli, KEYRING, NO_KEYRING, SESSION_ID, assertFailed, endCliRuns, isRecord } from '../harness/cli-runner.ts';
import { glewlwydUnavailable, startGlewlwyd } from '../harness/glewlwyd.ts';
import type { Glewlwyd } from '../harness/glewlwyd.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

const GLEWLWYD_BROWSER_COMMAND = `${BROWSER_COMMAND} --provider glewlwyd`;
const skip = glewlwydUnavailable() ?? (KEYRING ? false : NO_KEYRING);
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** The one token line `token` prints, recorded as a secret; the assertion messages never quote stdout. */
function tokenLine(stdout: string): string {
  const lines = stdout.split('\n');
  assert.equal(lines.length, 2, 'exactly one line on stdout');
  assert.equal(lines[1], '');
  const token = lines[0] ?? '';
  recordSecrets(token);
  return token;
}

function checkResults(report: Record<string, unknown>): Record<string, string> {
  const checks = report['checks'];
  assert.ok(Array.isArray(checks));
  return Object.fromEntries(checks.filter(isRecord).map((c) => [String(c['id']), String(c['result'])]));
}

/** Marks a step skipped, with the reason, when the step it builds on did not pass. */
function prerequisite(t: TestContext, value: string, step: string): boolean {
  if (value !== '') return true;
  t.skip(`needs the ${step} step, which did not pass`);
  return false;
}

describe('CLI end to end against Glewlwyd', { skip }, () => {
  let g: Glewlwyd | undefined;
  let cli: Cli;
  let profile = '';
  let id = '';
  let sub = '';
  let idToken = '';
  let accessToken = '';
  let refreshTokenBeforeLogout = '';
  let fileStarted = 0;

  before(async () => {
    fileStarted = performance.now();
    g = await startGlewlwyd();
    cli = await Cli.create();
    process.stderr.write(`# glewlwyd setup: start ${g.setupMs.start} ms, admin API configuration ${g.setupMs.configure} ms\n`);
  });

  after(async () => {
    await g?.stop();
    endCliRuns();
    process.stderr.write(`# cli-glewlwyd: whole file ${Math.round(performance.now() - fileStarted)} ms\n`);
  });

  it('profile add with the one loopback redirect URI Glewlwyd has registered (fixed port)', async () => {
    assert.ok(g);
    const r = await cli.run(['profile', 'add', 'g', '--issuer', g.issuer, '--client-id', g.clientId, '--redirect', g.redirectUri, '--allow-http-loopback']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const profiles = await cli.json(['profile', 'list']);
    assert.ok(Array.isArray(profiles) && profiles.length === 1 && isRecord(profiles[0]));
    assert.equal(profiles[0]['issuer'], g.issuer);
    assert.equal(profiles[0]['redirect'], g.redirectUri, 'the exact redirect URI, port included');
    profile = 'g';
  });

  it('login through Chromium and Glewlwyd\'s login app, on exactly the registered port', async (t) => {
    if (!prerequisite(t, profile, 'profile add')) return;
    assert.ok(g);
    const started = performance.now();
    const r = await cli.run(['login', 'g', '--browser-command', GLEWLWYD_BROWSER_COMMAND, '--timeout', '90']);
    t.diagnostic(`login (CLI start, discovery, Chromium, password, grant, code exchange, keychain): ${Math.round(performance.now() - started)} ms`);
    // Glewlwyd answers 403 (the browser agent says so on stderr) when the port differs from the registered one.
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^s-[0-9a-f]{8}\n$/, 'login prints exactly the session id');
    id = r.stdout.trim();
    assert.match(id, SESSION_ID);
    await cli.storedRefreshToken(id);
    const list = await cli.json(['sessions']);
    assert.ok(Array.isArray(list) && list.length === 1 && isRecord(list[0]));
    assert.equal(list[0]['id'], id);
    assert.equal(list[0]['issuer'], g.issuer);
    assert.equal(list[0]['status'], 'active');
    assert.equal(list[0]['storage'], 'keychain');
    assert.equal(list[0]['displayName'], g.user.name);
    assert.equal(typeof list[0]['subject'], 'string');
    sub = String(list[0]['subject']);
  });

  it('token: the access token, a JWT issued by Glewlwyd for this client and user', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    assert.ok(g);
    const r = await cli.run(['token', id]);
    assert.equal(r.code, 0, r.stderr);
    accessToken = tokenLine(r.stdout);
    const claims = jose.decodeJwt(accessToken);
    assert.equal(claims.iss, g.issuer);
    assert.equal(claims.sub, sub);
    assert.equal(claims['client_id'], g.clientId);
  });

  it('token --type id: the ID token of the sign-in, in a new process', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    assert.ok(g);
    const r = await cli.run(['token', id, '--type', 'id']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /no ID token/i);
    idToken = tokenLine(r.stdout);
    const claims = jose.decodeJwt(idToken);
    assert.equal(claims.iss, g.issuer);
    assert.equal(claims.aud, g.clientId);
    assert.equal(claims.sub, sub);
    assert.equal(claims['auth_time'], 0, 'Glewlwyd\'s auth_time');
  });

  it('inspect <session>: the ID token verified check by check, auth_time 0 not held against it', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    assert.ok(g);
    const report = await cli.json(['inspect', id]);
    assert.ok(isRecord(report));
    assert.equal(report['source'], 'session');
    assert.equal(report['issuer'], g.issuer);
    assert.equal(report['valid'], true);
    assert.equal(report['signatureVerified'], true);
    assert.ok(isRecord(report['claims']) && report['claims']['sub'] === sub);
    const results = checkResults(report);
    assert.equal(results['signature'], 'pass');
    assert.equal(results['iss'], 'pass');
    assert.equal(results['aud'], 'pass');
    assert.notEqual(results['auth_time'], 'fail');
  });

  it('refresh: a rotated refresh token in the keychain, the session still active, no claim of a new ID token', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    const before = await cli.storedRefreshToken(id);
    const r = await cli.run(['refresh', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Refreshed ${id}: new access token`));
    const afterRefresh = await cli.storedRefreshToken(id);
    assert.notEqual(afterRefresh, before, 'Glewlwyd rotates refresh tokens; the new one replaced the old in the keychain');
    const list = await cli.json(['sessions']);
    assert.ok(Array.isArray(list) && isRecord(list[0]));
    assert.equal(list[0]['status'], 'active');
    assert.equal(list[0]['subject'], sub);
    // needs: the refresh summary telling a kept ID token from a new one; Glewlwyd's refresh response has no
    // id_token, yet `refresh` prints "new ID token verified, same identity (OIDC Core §12.2)" whenever the
    // session has an ID token.
    assert.doesNotMatch(r.stdout, /new ID token/, 'Glewlwyd sent no ID token with this refresh');
  });

  it('token --type id after the refresh, in a new process: still the ID token of the sign-in, never "no ID token"', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    assert.ok(g);
    // Glewlwyd sends no id_token on refresh: the sign-in's must be kept (main 9afd0d6 does).
    const r = await cli.run(['token', id, '--type', 'id']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /no ID token/i);
    const again = tokenLine(r.stdout);
    const claims = jose.decodeJwt(again);
    assert.equal(claims.iss, g.issuer);
    assert.equal(claims.sub, sub);
    assert.equal(claims.aud, g.clientId);
    if (idToken !== '') assert.ok(again === idToken, 'Glewlwyd issued no new ID token, so it is the same one');
  });

  it('inspect <session> after the refresh, in a new process: the same identity, still valid', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    const report = await cli.json(['inspect', id]);
    assert.ok(isRecord(report));
    assert.equal(report['valid'], true);
    assert.equal(report['signatureVerified'], true);
    assert.ok(isRecord(report['claims']) && report['claims']['sub'] === sub);
  });

  it('userinfo: Glewlwyd\'s claims for the same sub', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    assert.ok(g);
    const info = await cli.json(['userinfo', id]);
    assert.ok(isRecord(info) && isRecord(info['claims']));
    assert.equal(info['session'], id);
    assert.equal(info['claims']['sub'], sub);
    assert.equal(info['claims']['email'], g.user.email);
    assert.equal(info['claims']['name'], g.user.name);
    // Without the sign-in's ID token kept across refreshes every claim would be "only-userinfo".
    const comparison = info['comparison'];
    assert.ok(Array.isArray(comparison));
    const email = comparison.filter(isRecord).find((c) => c['claim'] === 'email');
    assert.equal(email?.['relation'], 'same', 'the ID token carries the same email');
  });

  it('logout: signed out here; says the provider refused the revocation (401) and the token may still be valid there', async (t) => {
    if (!prerequisite(t, id, 'login')) return;
    assert.ok(g);
    refreshTokenBeforeLogout = await cli.storedRefreshToken(id);
    const r = await cli.run(['logout', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /tokens were revoked/, 'never claims a revocation that did not happen');
    // Before main 105ae80 logout ignored the session service's `revocationError` and said "(there was no
    // token to revoke)", which was not true.
    assert.doesNotMatch(r.stderr, /no token to revoke/, 'there was a refresh token, and it was sent');
    assert.match(r.stderr, /could not be revoked|refused|did not accept/i, 'says the revocation did not happen');
    // needs: the status of a refusal without a JSON body. Glewlwyd answers the revocation with 401, no
    // content-type, no WWW-Authenticate, an empty body; oauth4webapi then throws "response content-type
    // must be application/json" (not RESPONSE_IS_NOT_CONFORM), which the product maps without the status,
    // so logout blames the content-type instead of saying the provider refused with HTTP 401.
    assert.match(r.stderr, /HTTP 401/, 'and that the provider answered 401');
    assert.match(r.stderr, /may still be valid/i, 'says the token may still be valid at the provider');
    assert.deepEqual(await cli.json(['sessions']), []);
    assertFailed(await cli.run(['token', id]), 2, 'SESSION_NOT_FOUND');
  });

  it('after logout the refresh token still works at Glewlwyd: the warning was true', async (t) => {
    if (!prerequisite(t, refreshTokenBeforeLogout, 'logout')) return;
    assert.ok(g);
    const issuer = new URL(g.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    const res = await oauth.refreshTokenGrantRequest(as, { client_id: g.clientId }, oauth.None(), refreshTokenBeforeLogout, insecure);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    recordSecrets(body['access_token'] as string, body['refresh_token'] as string);
  });

  it('a refresh token Glewlwyd stopped accepting (a replay broke its chain): refresh exits 3, the session is refresh-failing', async (t) => {
    if (!prerequisite(t, profile, 'profile add')) return;
    assert.ok(g);
    const login = await cli.run(['login', 'g', '--browser-command', GLEWLWYD_BROWSER_COMMAND, '--timeout', '90']);
    assert.equal(login.code, 0, login.stderr);
    const again = login.stdout.trim();
    assert.match(again, SESSION_ID);
    const stored = await cli.storedRefreshToken(again);
    const issuer = new URL(g.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    const use = (token: string): Promise<Response> => oauth.refreshTokenGrantRequest(as, { client_id: g?.clientId ?? '' }, oauth.None(), token, insecure);
    const rotated = await use(stored);
    assert.equal(rotated.status, 200);
    recordSecrets(((await rotated.json()) as Record<string, unknown>)['refresh_token'] as string);
    assert.equal((await use(stored)).status, 400, 'the replay breaks the chain');

    // Glewlwyd's empty 400 is not an OAuth invalid_grant: the product keeps the token and reports it.
    assertFailed(await cli.run(['refresh', again]), 3, 'TOKEN_ENDPOINT_REFUSED');
    const list = await cli.json(['sessions']);
    assert.ok(Array.isArray(list) && isRecord(list[0]));
    assert.equal(list[0]['id'], again);
    assert.equal(list[0]['status'], 'refresh-failing');
    const out = await cli.run(['logout', again, '--no-revoke']);
    assert.equal(out.code, 0, out.stderr);
  });
});

/**
 * The result of a sign-in always names the account: "Signed in as <name> (<subject>)", the subject alone
 * when the ID token gives no name, and when there is no ID token at all, that the account is unknown and
 * why; the JSON outputs about a session carry its subject.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedIdp, type ScriptedIdp } from '../harness/scripted-idp.ts';
import { Cli, FETCH_BROWSER_COMMAND, KEYRING, NO_KEYRING, SESSION_ID, endCliRuns, isRecord } from '../harness/cli-runner.ts';

let idp: ScriptedIdp;

before(async () => {
  idp = await startScriptedIdp({ idTokenClaims: { sub: 'sub-named', name: 'Alice Example' }, scope: 'openid profile offline_access' });
});

after(async () => {
  await idp?.stop();
  endCliRuns();
});

async function signIn(cli: Cli, scope: string): Promise<{ id: string; stderr: string }> {
  assert.equal((await cli.run(['profile', 'add', 'p', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--scope', scope])).code, 0);
  const r = await cli.run(['login', 'p', '--browser-command', FETCH_BROWSER_COMMAND, '--timeout', '60']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^s-[0-9a-f]{8}\n$/);
  return { id: r.stdout.trim(), stderr: r.stderr };
}

async function json(cli: Cli, args: string[]): Promise<Record<string, unknown>> {
  const r = await cli.run([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const value = JSON.parse(r.stdout) as unknown;
  assert.ok(isRecord(value));
  return value;
}

test('an ID token with a name: "Signed in as <name> (<subject>)"; token, inspect and userinfo --json carry the subject', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  idp.script = { idTokenClaims: { sub: 'sub-named', name: 'Alice Example' }, userinfo: { sub: 'sub-named' }, scope: 'openid profile offline_access' };
  const cli = await Cli.create();
  const { id, stderr } = await signIn(cli, 'openid profile offline_access');
  assert.match(stderr, /^Signed in as Alice Example \(sub-named\) with profile "p": session s-[0-9a-f]{8}\.$/m);
  assert.equal((await json(cli, ['token', id]))['subject'], 'sub-named');
  assert.equal((await json(cli, ['inspect', id]))['subject'], 'sub-named');
  assert.equal((await json(cli, ['userinfo', id]))['subject'], 'sub-named');
  assert.equal((await json(cli, ['refresh', id]))['subject'], 'sub-named');
});

test('an ID token without name, preferred_username or email: "Signed in as <subject>"', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  idp.script = { idTokenClaims: { sub: 'sub-nameless' }, scope: 'openid offline_access' };
  const cli = await Cli.create();
  const { stderr } = await signIn(cli, 'openid offline_access');
  assert.match(stderr, /^Signed in as sub-nameless \(subject; the ID token gives no name\) with profile "p": session s-[0-9a-f]{8}\.$/m);
});

test('no ID token (no "openid" scope): login says the account is unknown and why, never "Signed in as unknown"', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  idp.script = { idTokenClaims: null, scope: 'api offline_access' };
  const cli = await Cli.create();
  const { id, stderr } = await signIn(cli, 'api offline_access');
  assert.match(id, SESSION_ID);
  assert.doesNotMatch(stderr, /Signed in as unknown/);
  assert.match(stderr, /^Signed in with profile "p": session s-[0-9a-f]{8}\. The account is unknown: the provider sent no ID token \(it sends one only for the "openid" scope\), so no subject was verified\.$/m);
  // The session index records "unknown" as the subject of a session without an ID token.
  assert.equal((await json(cli, ['token', id]))['subject'], 'unknown');
  const sessions = await cli.run(['sessions', '--json']);
  const list = JSON.parse(sessions.stdout) as unknown;
  assert.ok(Array.isArray(list) && isRecord(list[0]));
  assert.equal(list[0]['subject'], 'unknown');
});

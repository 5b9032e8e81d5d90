/** Argument parsing of `oidc-desk`: global options before the command, every subcommand's options, and USAGE errors for the rest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseArgv, parseParams, parsePort, parseTimeout, splitCommandLine } from '../../../src-main/cli/args.ts';
import { EXIT, exitCodeFor } from '../../../src-main/cli/exit-codes.ts';
import { DeskError } from '../../../src-main/core/errors.ts';

const usage = { code: 'USAGE' };

test('--data-dir is global: before the command, made absolute; after it, a USAGE error that says where it goes', () => {
  assert.deepEqual(parseArgv(['--data-dir', 'rel/dir', 'sessions']), { dataDir: resolve('rel/dir'), command: { kind: 'sessions', json: false } });
  assert.equal(parseArgv(['--data-dir=/x', 'sessions', '--json']).dataDir, '/x');
  assert.equal(parseArgv(['sessions']).dataDir, undefined);
  assert.throws(() => parseArgv(['sessions', '--data-dir', '/x']), (e: unknown) => e instanceof DeskError && e.code === 'USAGE' && /global option/.test(e.message));
  assert.throws(() => parseArgv(['--data-dir']), usage);
  assert.throws(() => parseArgv(['--data-dir', '--json', 'sessions']), usage);
  assert.throws(() => parseArgv(['--verbose', 'sessions']), usage);
});

test('no command, an unknown command or an unknown option: USAGE (exit 2)', () => {
  for (const argv of [[], ['frobnicate'], ['sessions', '--jsn'], ['sessions', 'extra'], ['profile'], ['profile', 'rename', 'a']]) {
    if (argv[0] === 'profile' && argv.length === 1) {
      assert.deepEqual(parseArgv(argv).command, { kind: 'help', topic: 'profile' });
      continue;
    }
    assert.throws(() => parseArgv(argv), (e: unknown) => e instanceof DeskError && e.code === 'USAGE' && exitCodeFor(e) === EXIT.USAGE, argv.join(' '));
  }
});

test('help and version', () => {
  assert.deepEqual(parseArgv(['--help']).command, { kind: 'help', topic: undefined });
  assert.deepEqual(parseArgv(['token', '--help']).command, { kind: 'help', topic: 'token' });
  assert.deepEqual(parseArgv(['help', 'login']).command, { kind: 'help', topic: 'login' });
  assert.deepEqual(parseArgv(['--version']).command, { kind: 'version' });
});

test('profile add: required options, repeated --param, loopback redirect by default', () => {
  const { command } = parseArgv(['profile', 'add', 'okta', '--issuer', 'https://dev-1.okta.com/oauth2/default', '--client-id', '0oa1',
    '--scope', 'openid offline_access', '--param', 'prompt=consent', '--param', 'idp=abc=def', '--allow-http-loopback']);
  assert.deepEqual(command, {
    kind: 'profile-add', name: 'okta', issuer: 'https://dev-1.okta.com/oauth2/default', clientId: '0oa1', scope: 'openid offline_access',
    redirect: 'loopback', allowHttpLoopback: true, params: { prompt: 'consent', idp: 'abc=def' },
  });
  const custom = parseArgv(['profile', 'add', 'app', '--issuer', 'https://i', '--client-id', 'c', '--redirect', 'com.example.app:/cb']).command;
  assert.equal(custom.kind === 'profile-add' ? custom.redirect : undefined, 'com.example.app:/cb');
  assert.throws(() => parseArgv(['profile', 'add', 'x', '--client-id', 'c']), usage);
  assert.throws(() => parseArgv(['profile', 'add', 'x', '--issuer', 'https://i']), usage);
  assert.throws(() => parseArgv(['profile', 'add', '--issuer', 'https://i', '--client-id', 'c']), usage);
  assert.throws(() => parseArgv(['profile', 'add', 'x', '--issuer', 'https://i', '--client-id', 'c', '--param', 'novalue']), usage);
});

test('parseParams: key=value, the value may hold "=", a key twice is refused', () => {
  assert.deepEqual(parseParams(['a=1', 'b=x=y', 'c=']), { a: '1', b: 'x=y', c: '' });
  assert.throws(() => parseParams(['=v']), usage);
  assert.throws(() => parseParams(['a=1', 'a=2']), usage);
});

test('profile list / remove', () => {
  assert.deepEqual(parseArgv(['profile', 'list', '--json']).command, { kind: 'profile-list', json: true });
  assert.deepEqual(parseArgv(['profile', 'remove', 'okta']).command, { kind: 'profile-remove', name: 'okta' });
  assert.throws(() => parseArgv(['profile', 'remove']), usage);
});

test('login: system browser by default, --browser-command split without a shell, --no-open, --timeout', () => {
  assert.deepEqual(parseArgv(['login', 'demo']).command, { kind: 'login', profile: 'demo', browser: { kind: 'system' }, timeoutSeconds: undefined });
  assert.deepEqual(parseArgv(['login', 'demo', '--browser-command', 'node --import tsx "my dir/agent.ts"', '--timeout', '30']).command, {
    kind: 'login', profile: 'demo', browser: { kind: 'command', argv: ['node', '--import', 'tsx', 'my dir/agent.ts'] }, timeoutSeconds: 30,
  });
  assert.deepEqual(parseArgv(['login', 'p', '--no-open']).command, { kind: 'login', profile: 'p', browser: { kind: 'none' }, timeoutSeconds: undefined });
  assert.throws(() => parseArgv(['login', 'p', '--no-open', '--browser-command', 'x']), usage);
  assert.throws(() => parseArgv(['login', 'p', '--browser-command', '  ']), usage);
  assert.throws(() => parseArgv(['login']), usage);
  assert.throws(() => parseArgv(['login', 'p', '--timeout']), usage);
});

test('splitCommandLine: quotes and escapes, no expansion', () => {
  assert.deepEqual(splitCommandLine(`a 'b c' "d \\"e\\" $HOME" f\\ g`), ['a', 'b c', 'd "e" $HOME', 'f g']);
  assert.deepEqual(splitCommandLine('C:\\Tools\\browser.exe --new'), ['C:\\Tools\\browser.exe', '--new']);
  assert.deepEqual(splitCommandLine(`x '' ""`), ['x', '', '']);
  assert.deepEqual(splitCommandLine('echo $(id); rm -rf ~ | tee'), ['echo', '$(id);', 'rm', '-rf', '~', '|', 'tee']);
  assert.deepEqual(splitCommandLine('   '), []);
  assert.throws(() => splitCommandLine(`'open`), usage);
  assert.throws(() => splitCommandLine(`"open`), usage);
});

test('parseTimeout and parsePort', () => {
  assert.equal(parseTimeout('2.5'), 2.5);
  assert.equal(parseTimeout(undefined), undefined);
  for (const bad of ['0', '-1', 'x', '', '86401', 'Infinity']) assert.throws(() => parseTimeout(bad), usage, bad);
  assert.equal(parsePort('0'), 0);
  assert.equal(parsePort('9400'), 9400);
  for (const bad of ['-1', '65536', '1.5', 'x', '']) assert.throws(() => parsePort(bad), usage, bad);
});

test('token: access by default, id on request, refresh refused', () => {
  assert.deepEqual(parseArgv(['token', 's-1']).command, { kind: 'token', session: 's-1', type: 'access', json: false, minValidSeconds: undefined });
  assert.deepEqual(parseArgv(['token', 's-1', '--type', 'id', '--json']).command, { kind: 'token', session: 's-1', type: 'id', json: true, minValidSeconds: undefined });
  assert.deepEqual(parseArgv(['token', 's-1', '--min-valid', '600']).command, { kind: 'token', session: 's-1', type: 'access', json: false, minValidSeconds: 600 });
  for (const bad of ['-1', '1.5', 'soon', '86401']) assert.throws(() => parseArgv(['token', 's-1', '--min-valid', bad]), usage);
  assert.throws(() => parseArgv(['token', 's-1', '--type', 'refresh']), (e: unknown) => e instanceof DeskError && e.code === 'USAGE' && /never prints a refresh token/.test(e.message));
  assert.throws(() => parseArgv(['token', 's-1', '--type', 'other']), usage);
  assert.throws(() => parseArgv(['token']), usage);
  assert.throws(() => parseArgv(['token', 's-1', 's-2']), usage);
});

test('inspect, refresh, userinfo, logout, demo-idp, quickstart', () => {
  assert.deepEqual(parseArgv(['inspect', 'a.b.c', '--json']).command, { kind: 'inspect', target: 'a.b.c', json: true });
  assert.deepEqual(parseArgv(['refresh', 's-1']).command, { kind: 'refresh', session: 's-1', json: false });
  assert.deepEqual(parseArgv(['userinfo', 's-1', '--json']).command, { kind: 'userinfo', session: 's-1', json: true });
  assert.deepEqual(parseArgv(['logout', 's-1']).command, { kind: 'logout', session: 's-1', revoke: true });
  assert.deepEqual(parseArgv(['logout', 's-1', '--no-revoke']).command, { kind: 'logout', session: 's-1', revoke: false });
  assert.deepEqual(parseArgv(['demo-idp']).command, { kind: 'demo-idp', port: undefined, stop: false });
  assert.deepEqual(parseArgv(['demo-idp', '--port', '0']).command, { kind: 'demo-idp', port: 0, stop: false });
  assert.deepEqual(parseArgv(['demo-idp', '--stop']).command, { kind: 'demo-idp', port: undefined, stop: true });
  assert.throws(() => parseArgv(['demo-idp', '--port', '80000']), usage);
  const quick = parseArgv(['quickstart', '--data-dir', '/d', '--no-open']);
  assert.equal(quick.dataDir, '/d');
  assert.deepEqual(quick.command, { kind: 'quickstart', dataDir: '/d', browser: { kind: 'none' }, timeoutSeconds: undefined });
});

test('exit codes follow the error category', () => {
  assert.equal(exitCodeFor(new DeskError('PROFILE_NOT_FOUND', 'x')), 2);
  assert.equal(exitCodeFor(new DeskError('DISCOVERY_ISSUER_MISMATCH', 'x')), 3);
  assert.equal(exitCodeFor(new DeskError('HTTP_NETWORK', 'x')), 4);
  assert.equal(exitCodeFor(new DeskError('KEYCHAIN_UNAVAILABLE', 'x')), 5);
  assert.equal(exitCodeFor(new Error('bug')), 3);
});

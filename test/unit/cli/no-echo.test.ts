/** No value the user typed comes back in an error (it may be a pasted token): every argument-parsing error path and the not-found errors, run in-process through `run()`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { run } from '../../../src-main/cli/run.ts';
import { PASTED, PASTED_JWT, PASTED_REFRESH, echoes } from '../../harness/pasted-values.ts';

const JWT = PASTED_JWT;
const REFRESH = PASTED_REFRESH;

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

async function runCli(argv: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const { exitCode } = await run(argv, { stdout: out.stream, stderr: err.stream }, { ...process.env, OIDC_DESK_KEYCHAIN_SERVICE: 'OIDC Desk no-echo unit test' });
  return { exitCode, stdout: out.text(), stderr: err.text() };
}

/** Argument lists in which `t` lands in each place a typed value can go wrong before any command runs. */
function parseCases(t: string): string[][] {
  const add = ['profile', 'add', 'okta', '--issuer', 'https://idp.example', '--client-id', 'c'];
  return [
    [t],
    [t.startsWith('-') ? t : `--${t}`, 'sessions'],
    ['sessions', t],
    ['sessions', `--${t}`],
    ['sessions', `-${t}`],
    ['sessions', `--json=${t}`],
    ['token', 's-00000000', t],
    ['token', 's-00000000', '--type', t],
    ['login', 'okta', '--timeout', t],
    ['login', 'okta', `--timeout=${t}`],
    ['demo-idp', '--port', t],
    ['profile', t],
    ['profile', 'list', t],
    ['profile', 'remove', 'okta', t],
    [...add, '--param', t],
    [...add, '--param', `${t}=1`, '--param', `${t}=2`],
    [...add, `--${t}`, 'x'],
    ['quickstart', t],
    ['login', 'okta', '--browser-command', `'${t}`],
    ['login', 'okta', '--browser-command', `"${t}`],
  ];
}

test('argument parsing: a pasted token in any place is a USAGE error (exit 2) that does not repeat it', async () => {
  for (const t of PASTED) {
    for (const argv of parseCases(t)) {
      const r = await runCli(argv);
      const shown = argv.map((a) => (a.includes(t.slice(0, 12)) ? '<pasted>' : a)).join(' ');
      assert.equal(r.exitCode, 2, `exit 2 for ${shown}:\n${r.stderr}`);
      assert.match(r.stderr, /^error USAGE: /, shown);
      assert.equal(r.stdout, '', shown);
      assert.ok(!echoes(r.stderr, t), `the pasted value is not echoed for ${shown}:\n${r.stderr}`);
    }
  }
});

test('an unknown option is answered with the options the command has, without the one typed', async () => {
  const r = await runCli(['logout', 's-00000000', '--no-revok']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /--no-revoke/, 'the real option is listed');
  assert.ok(!r.stderr.includes('--no-revok '), 'the typed one is not repeated');
});

test('a boolean option given a value says it takes none; an option without its value says it needs one', async () => {
  const flagged = await runCli(['sessions', '--json=yes']);
  assert.equal(flagged.exitCode, 2);
  assert.match(flagged.stderr, /--json takes no value/);
  const missing = await runCli(['token', 's-00000000', '--type']);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /--type needs a value/);
});

test('not found: a pasted token or a plain name as session id or profile name is never named in the error (exit 2)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-no-echo-'));
  for (const t of [...PASTED, 'okta-prod', 's-0badc0de']) {
    // "--" first: a value starting with "-" is then still taken as the positional.
    const cases: [string[], string][] = [
      [['token', '--', t], 'SESSION_NOT_FOUND'],
      [['token', '--type', 'id', '--json', '--', t], 'SESSION_NOT_FOUND'],
      [['refresh', '--', t], 'SESSION_NOT_FOUND'],
      [['userinfo', '--json', '--', t], 'SESSION_NOT_FOUND'],
      [['logout', '--', t], 'SESSION_NOT_FOUND'],
      [['login', '--no-open', '--', t], 'PROFILE_NOT_FOUND'],
      [['profile', 'remove', '--', t], 'PROFILE_NOT_FOUND'],
    ];
    if (!t.includes('.')) cases.push([['inspect', '--', t], 'SESSION_NOT_FOUND']);
    for (const [full, code] of cases) {
      const r = await runCli(['--data-dir', dataDir, ...full]);
      const shown = full.map((a) => (a === t ? '<value>' : a)).join(' ');
      assert.equal(r.exitCode, 2, `exit 2 for ${shown}:\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^error (${code}): `), shown);
      assert.ok(!r.stderr.includes(t) && !echoes(r.stderr, t), `the value is not echoed for ${shown}:\n${r.stderr}`);
    }
  }
});

test('profile add: a pasted token as name, issuer, redirect, client id or --param is refused (exit 2) without being repeated', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-no-echo-'));
  // `--option=value`: a value starting with "-" is then still the option's value.
  const add = (name: string, ...rest: string[]): string[] => ['--data-dir', dataDir, 'profile', 'add', '--issuer=https://idp.example', '--client-id=c', ...rest, '--', name];
  const host = REFRESH.toLowerCase();
  for (const t of PASTED) {
    const cases: [string[], string][] = [
      [add(JWT), 'PROFILE_INVALID'],
      [add('ok', `--issuer=${t}`), 'ISSUER_INVALID'],
      [add('ok', `--issuer=https://${host}.example?x=${t}`), 'ISSUER_INVALID'],
      [add('ok', `--issuer=http://${host}.example/${t}`), 'ISSUER_INSECURE'],
      [add('ok', `--redirect=${t}`), 'REDIRECT_SCHEME_INVALID'],
      [add('ok', `--redirect=com.example.app:/cb#${t}`), 'REDIRECT_SCHEME_INVALID'],
      [add('ok', `--client-id=${t} ${t}`), 'PROFILE_INVALID'],
      [add('ok', `--param=${t}!=1`), 'PROFILE_INVALID'],
      [add('ok', `--param=x=${t.repeat(60)}`), 'PROFILE_INVALID'],
      [add('ok', `--scope=openid ${t}"`), 'PROFILE_INVALID'],
    ];
    for (const [argv, code] of cases) {
      const r = await runCli(argv);
      assert.equal(r.exitCode, 2, `exit 2 (${code}):\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^error ${code}: `));
      assert.ok(!echoes(r.stderr, t) && !echoes(r.stderr, host), `nothing typed is repeated:\n${r.stderr}`);
    }
  }
  const first = await runCli(add('twice'));
  assert.equal(first.exitCode, 0, first.stderr);
  const again = await runCli(add('twice'));
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr, /^error PROFILE_EXISTS: /);
  assert.ok(!again.stderr.includes('twice'), 'an error about a name names no value');
});

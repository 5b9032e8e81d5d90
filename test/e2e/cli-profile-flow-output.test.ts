/**
 * `oidc-desk profile add|list` per flow: no redirect listed (text or `--json`) for a flow that uses none,
 * the implicit flow's default scopes without `offline_access`, and an explicit `offline_access` on an
 * implicit profile kept with a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cli, isRecord, succeeded } from '../harness/cli-runner.ts';

const ISSUER = 'https://dev-123.okta.com/oauth2/default';

/** `profile add <name> --flow <flow>` with what that flow needs, and nothing else. */
function add(cli: Cli, name: string, flow: string, ...more: string[]) {
  const needs = flow === 'client_credentials' ? ['--client-auth', 'client_secret_basic'] : flow === 'implicit' ? ['--response-type', 'id_token'] : flow === 'hybrid' ? ['--response-type', 'code id_token'] : [];
  return cli.run(['profile', 'add', name, '--issuer', ISSUER, '--client-id', `${name}-client`, '--flow', flow, ...needs, ...more]);
}

test('profile list: a redirect only for the flows that use one, in the table and as null in --json', async () => {
  const cli = await Cli.create();
  const flows = ['authorization_code', 'okta_session_token', 'implicit', 'hybrid', 'device_code', 'client_credentials', 'password'] as const;
  for (const flow of flows) succeeded(await add(cli, flow.replaceAll('_', '-'), flow));
  const redirected = new Set(['authorization-code', 'okta-session-token', 'implicit', 'hybrid']);
  const lines = succeeded(await cli.run(['profile', 'list'])).stdout.trim().split('\n');
  assert.equal(lines.length, flows.length);
  for (const line of lines) {
    const name = line.split('\t')[0] ?? '';
    if (redirected.has(name)) assert.match(line, /\tredirect=loopback\t/, `${name} lists its redirect`);
    else assert.doesNotMatch(line, /redirect/, `${name} uses no redirect: none listed`);
  }
  const list = await cli.json(['profile', 'list']);
  assert.ok(Array.isArray(list) && list.length === flows.length);
  for (const p of list) {
    assert.ok(isRecord(p) && typeof p['name'] === 'string' && 'redirect' in p, 'every element has the redirect field');
    assert.equal(p['redirect'], redirected.has(p['name']) ? 'loopback' : null, `${p['name']}'s redirect`);
  }
});

test('profile add: the implicit flow gets no offline_access by default; asked for, it is kept with a warning', async () => {
  const cli = await Cli.create();
  const plain = succeeded(await add(cli, 'im', 'implicit'));
  assert.doesNotMatch(plain.stderr, /offline_access/);
  const asked = succeeded(await add(cli, 'im-offline', 'implicit', '--scope', 'openid offline_access'));
  assert.match(asked.stderr, /offline_access/, 'the warning names the useless scope');
  succeeded(await add(cli, 'code', 'authorization_code'));
  const list = await cli.json(['profile', 'list']);
  assert.ok(Array.isArray(list));
  const scopes = Object.fromEntries(list.filter(isRecord).map((p) => [p['name'], p['scopes']]));
  assert.deepEqual(scopes['im'], ['openid', 'profile', 'email']);
  assert.deepEqual(scopes['im-offline'], ['openid', 'offline_access']);
  assert.deepEqual(scopes['code'], ['openid', 'profile', 'email', 'offline_access']);
});

/**
 * The CLI against a provider that answers as real providers do but oidc-provider does not: `azp` in every
 * ID token, no ID token on refresh, a refused revocation, a refresh answered by a page that is not OAuth.
 * Every CLI command is a new process, so these are the cases that broke there. The provider is the small
 * hostile server (test/harness/hostile-idp.ts) approving at once; the "browser" follows its redirect.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHostileIdp, type HostileIdp, type HostileIdpOptions, type HostileReply } from '../harness/hostile-idp.ts';
import { Cli, FETCH_BROWSER_COMMAND, KEYRING, NO_KEYRING, assertFailed, endCliRuns, isRecord } from '../harness/cli-runner.ts';

const providers: HostileIdp[] = [];
after(async () => {
  for (const p of providers) await p.stop();
  endCliRuns();
});

interface ProviderBehaviour {
  /** Claims of every ID token. */
  readonly claims?: Record<string, unknown>;
  /** How refreshes are answered (default: new tokens, rotated, with an ID token). */
  readonly refresh?: (idp: HostileIdp, n: number) => Promise<HostileReply> | HostileReply;
  readonly options?: HostileIdpOptions;
}

async function provider(behaviour: ProviderBehaviour = {}): Promise<HostileIdp> {
  let refreshes = 0;
  const idp = await startHostileIdp({
    autoApprove: true,
    ...behaviour.options,
    token: async (form, self) => {
      if (form.get('grant_type') === 'refresh_token') {
        refreshes += 1;
        if (behaviour.refresh) return behaviour.refresh(self, refreshes);
        return { json: { access_token: `at-refresh-${refreshes}-0123456789`, token_type: 'Bearer', expires_in: 300, refresh_token: `rt-${refreshes}-abcdefghij`, id_token: await self.signIdToken({ sub: 'alice', name: 'Alice', auth_time: 1_700_000_000, ...behaviour.claims }) } };
      }
      const nonce = self.authorizationOf(form.get('code'))?.get('nonce') ?? '';
      return { json: { access_token: 'at-signin-0123456789', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-0-abcdefghij', id_token: await self.signIdToken({ sub: 'alice', name: 'Alice', nonce, auth_time: 1_700_000_000, ...behaviour.claims }) } };
    },
  });
  providers.push(idp);
  return idp;
}

async function signedIn(idp: HostileIdp): Promise<{ cli: Cli; id: string }> {
  const cli = await Cli.create();
  const add = await cli.run(['profile', 'add', 'h', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback']);
  assert.equal(add.code, 0, add.stderr);
  const login = await cli.run(['login', 'h', '--browser-command', FETCH_BROWSER_COMMAND, '--timeout', '60']);
  assert.equal(login.code, 0, login.stderr);
  return { cli, id: login.stdout.trim() };
}

const options = { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 };

test('a provider that puts azp in every ID token: refresh in a new process works, again and again', options, async () => {
  const idp = await provider({ claims: { azp: 'oidc-desk' } });
  const { cli, id } = await signedIn(idp);
  for (let i = 0; i < 2; i += 1) {
    const r = await cli.run(['refresh', id]);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(idp.counts['/token'], 3);
});

test('a provider that sends no ID token on refresh: token --type id and inspect keep working in every later process', options, async () => {
  const idp = await provider({ refresh: (_self, n) => ({ json: { access_token: `at-refresh-${n}-0123456789`, token_type: 'Bearer', expires_in: 300, refresh_token: `rt-${n}-abcdefghij` } }) });
  const { cli, id } = await signedIn(idp);
  const before = await cli.run(['token', id, '--type', 'id']);
  assert.equal(before.code, 0, before.stderr);
  assert.equal((await cli.run(['refresh', id])).code, 0);
  const after = await cli.run(['token', id, '--type', 'id']);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout, before.stdout, 'the sign-in\'s ID token is kept');
  const inspect = await cli.run(['inspect', id]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.doesNotMatch(inspect.stderr + inspect.stdout, /no ID token/i);
});

test('a refused revocation: logout says the token was not revoked and may still be valid, never "nothing to revoke"', options, async () => {
  const idp = await provider({ options: { revocation: () => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="x"' }, body: '' }) } });
  const { cli, id } = await signedIn(idp);
  const r = await cli.run(['logout', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /could not be revoked: REVOCATION_FAILED \(HTTP 401\)/);
  assert.match(r.stderr, /may still be valid at the provider/);
  assert.doesNotMatch(r.stderr, /no token to revoke/);
  assert.equal(idp.counts['/revoke'], 2, 'both tokens were tried');
});

test('a refresh answered by an empty 400: refresh exits 3, sessions shows the failing refresh with the status, token makes no request', options, async () => {
  const idp = await provider({ refresh: () => ({ status: 400, body: '' }) });
  const { cli, id } = await signedIn(idp);
  assertFailed(await cli.run(['refresh', id]), 3, 'TOKEN_ENDPOINT_REFUSED');
  const list = await cli.json(['sessions']);
  assert.ok(Array.isArray(list) && isRecord(list[0]));
  assert.equal(list[0]['status'], 'refresh-failing');
  const tokensBefore = idp.counts['/token'];
  // The cached access token is still valid: it is answered without a request.
  assert.equal((await cli.run(['token', id])).code, 0);
  assert.equal(idp.counts['/token'], tokensBefore);
  // Relogin replaces the failing session.
  const login = await cli.run(['login', 'h', '--browser-command', FETCH_BROWSER_COMMAND, '--timeout', '60']);
  assert.equal(login.stdout.trim(), id, 'the same account signs in to the same session');
  const again = await cli.json(['sessions']);
  assert.ok(Array.isArray(again) && isRecord(again[0]));
  assert.equal(again[0]['status'], 'active');
});

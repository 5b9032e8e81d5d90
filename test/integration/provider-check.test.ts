/**
 * The provider check: discovery with all its checks, then a plain summary of what the provider
 * announces (PKCE S256, RFC 9207 iss, refresh tokens, revocation, introspection, RP-initiated logout,
 * device grant, PAR, DPoP), its endpoints, which metadata document answered, and warnings. Against the
 * local oidc-provider, and a hostile provider whose metadata is silent or odd.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { checkProvider, type FeatureId, type ProviderCheck } from '../../src-main/core/oauth/provider-check.ts';
import { ProviderDirectory } from '../../src-main/core/oauth/provider-context.ts';
import { startHostileIdp } from '../harness/hostile-idp.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';

let idp: TestIdp;

before(async () => {
  idp = await startTestIdp();
});

after(() => idp?.stop());

function directory(): ProviderDirectory {
  return new ProviderDirectory(createHttpClient());
}

function status(check: ProviderCheck): Record<FeatureId, string> {
  return Object.fromEntries(check.features.map((f) => [f.id, f.status])) as Record<FeatureId, string>;
}

function note(check: ProviderCheck, id: FeatureId): string {
  return check.features.find((f) => f.id === id)?.note ?? '';
}

test('the local oidc-provider: everything it announces, its endpoints, OpenID Discovery, no warning', async () => {
  const check = await checkProvider(directory(), { issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
  assert.equal(check.issuer, idp.issuer);
  assert.deepEqual(check.metadataDocument, { kind: 'openid-discovery', url: `${idp.issuer}/.well-known/openid-configuration` });
  assert.deepEqual(status(check), {
    'pkce-s256': 'supported',
    'iss-parameter': 'supported',
    'refresh-token': 'supported',
    revocation: 'supported',
    introspection: 'supported',
    'rp-initiated-logout': 'supported',
    'device-authorization': 'unknown',
    par: 'supported',
    dpop: 'supported',
  });
  assert.match(note(check, 'refresh-token'), /offline_access is in scopes_supported/);
  assert.equal(check.endpoints['token_endpoint'], `${idp.issuer}/token`);
  assert.equal(check.endpoints['revocation_endpoint'], `${idp.issuer}/token/revocation`);
  assert.equal(check.endpoints['device_authorization_endpoint'], undefined);
  assert.deepEqual(check.warnings, []);
  assert.ok(check.features.every((f) => f.note.length > 0 && !f.note.includes('\n')), 'a one-line note each');
  assert.deepEqual(JSON.parse(JSON.stringify(check)), check, 'a plain, serializable object');
});

test('silent metadata: unknown, with the warnings that matter', async () => {
  const hostile = await startHostileIdp({
    metadata: { code_challenge_methods_supported: undefined, authorization_response_iss_parameter_supported: undefined },
  });
  try {
    const check = await checkProvider(directory(), { issuer: hostile.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
    assert.deepEqual(status(check), {
      'pkce-s256': 'unknown',
      'iss-parameter': 'unknown',
      'refresh-token': 'unknown',
      revocation: 'unknown',
      introspection: 'unknown',
      'rp-initiated-logout': 'unknown',
      'device-authorization': 'unknown',
      par: 'unknown',
      dpop: 'unknown',
    });
    assert.ok(check.warnings.some((w) => /PKCE/.test(w) && /still sends S256/.test(w)), 'PKCE not announced');
    assert.ok(check.warnings.some((w) => /RFC 9207/.test(w) && /mix-up/.test(w)), 'iss not announced');
    assert.deepEqual(Object.keys(check.endpoints).sort(), ['authorization_endpoint', 'jwks_uri', 'token_endpoint', 'userinfo_endpoint']);
  } finally {
    await hostile.stop();
  }
});

test('odd metadata: explicit refusals, malformed fields, PAR required, RFC 8414 only', async () => {
  const hostile = await startHostileIdp({
    discovery: 'oauth2',
    basePath: '/oauth2/default',
    metadata: {
      code_challenge_methods_supported: ['plain'],
      authorization_response_iss_parameter_supported: false,
      grant_types_supported: ['authorization_code'],
      scopes_supported: ['openid'],
      dpop_signing_alg_values_supported: 'ES256',
      require_pushed_authorization_requests: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      response_types_supported: ['token'],
    },
  });
  try {
    const check = await checkProvider(directory(), { issuer: hostile.issuer, clientId: 'oidc-desk', allowHttpLoopback: true });
    const origin = new URL(hostile.issuer).origin;
    assert.deepEqual(check.metadataDocument, { kind: 'rfc8414', url: `${origin}/.well-known/oauth-authorization-server/oauth2/default` });
    const s = status(check);
    assert.equal(s['pkce-s256'], 'not-supported');
    assert.equal(s['iss-parameter'], 'not-supported');
    assert.equal(s['refresh-token'], 'not-supported');
    assert.equal(s.dpop, 'unknown', 'a field of the wrong type says nothing');
    assert.match(note(check, 'dpop'), /not a list/);
    assert.equal(s.par, 'unknown');
    for (const topic of [/PKCE/, /RFC 9207/, /pushed authorization requests/, /token_endpoint_auth_method none|public client/, /response_type=code/]) {
      assert.ok(check.warnings.some((w) => topic.test(w)), `a warning about ${topic}`);
    }
    assert.match(note(check, 'refresh-token'), /offline_access is not in scopes_supported/);
  } finally {
    await hostile.stop();
  }
});

test('discovery refusals stay refusals: another issuer in the metadata, an http endpoint off loopback', async () => {
  const mismatch = await startHostileIdp({ metadataIssuer: (issuer) => `${issuer}/` });
  const offLoopback = await startHostileIdp({ metadata: { revocation_endpoint: 'http://idp.example.com/revoke' } });
  try {
    await assert.rejects(checkProvider(directory(), { issuer: mismatch.issuer, clientId: 'oidc-desk', allowHttpLoopback: true }), { code: 'DISCOVERY_ISSUER_MISMATCH' });
    await assert.rejects(checkProvider(directory(), { issuer: offLoopback.issuer, clientId: 'oidc-desk', allowHttpLoopback: true }), { code: 'DISCOVERY_FAILED' });
  } finally {
    await mismatch.stop();
    await offLoopback.stop();
  }
});

test('a check discovers afresh, and the fresh metadata serves the next sign-in too', async () => {
  const metadata: Record<string, unknown> = {};
  const hostile = await startHostileIdp({ metadata });
  try {
    const shared = directory();
    const input = { issuer: hostile.issuer, clientId: 'oidc-desk', allowHttpLoopback: true };
    await shared.get(input);
    metadata['revocation_endpoint'] = `${hostile.issuer}/revoke`;
    const check = await checkProvider(shared, input);
    assert.equal(status(check).revocation, 'supported');
    assert.equal((await shared.get(input)).metadata.revocation_endpoint, `${hostile.issuer}/revoke`);
  } finally {
    await hostile.stop();
  }
});

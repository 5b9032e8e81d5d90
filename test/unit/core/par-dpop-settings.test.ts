/**
 * The PAR and DPoP settings of a profile (defaults for files saved before they existed, the closed values,
 * the code flow only), the decision to push (profile setting against the provider's metadata), the DPoP
 * key as the keychain entry keeps it, and the binding checks of a token response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import type { ServerMetadata } from '../../../src-main/core/oauth/discovery.ts';
import { assertDpopBound, assertDpopOffered, dpopKeyOf, dpopSigner, generateDpopKey } from '../../../src-main/core/oauth/dpop.ts';
import { pushesAuthorizationRequest } from '../../../src-main/core/oauth/par.ts';
import { parseProfile } from '../../../src-main/core/profile.ts';
import { parseSecret, serializeSecret, type StoredSecret } from '../../../src-main/core/store/secret-store.ts';

const base = { name: 'okta', issuer: 'https://dev-123.okta.com/oauth2/default', clientId: '0oa1abc' };
const metadata = (extra: Record<string, unknown> = {}): ServerMetadata => ({ issuer: base.issuer, authorization_endpoint: `${base.issuer}/v1/authorize`, token_endpoint: `${base.issuer}/v1/token`, ...extra });

test('a profile saved before PAR and DPoP existed reads as PAR auto, DPoP off', () => {
  const p = parseProfile(base);
  assert.equal(p.par, 'auto');
  assert.equal(p.dpop, false);
  const q = parseProfile({ ...base, par: 'always', dpop: true });
  assert.deepEqual([q.par, q.dpop], ['always', true]);
});

test('PAR and DPoP settings: closed values, and only for the authorization code flow (PROFILE_INVALID)', () => {
  for (const par of ['sometimes', '', 1, true]) assert.throws(() => parseProfile({ ...base, par }), { code: 'PROFILE_INVALID' }, String(par));
  for (const dpop of ['yes', 1, null]) assert.throws(() => parseProfile({ ...base, dpop }), { code: 'PROFILE_INVALID' }, String(dpop));
  const service = { ...base, flow: 'client_credentials', scopes: 'api:read' };
  assert.throws(() => parseProfile({ ...service, par: 'always' }), { code: 'PROFILE_INVALID' });
  assert.throws(() => parseProfile({ ...service, dpop: true }), { code: 'PROFILE_INVALID' });
  assert.equal(parseProfile({ ...service, par: 'auto', dpop: false }).par, 'auto');
});

test('whether a sign-in pushes: always, auto only when required, never refused when required; no endpoint refused', () => {
  const offered = metadata({ pushed_authorization_request_endpoint: `${base.issuer}/v1/par` });
  const required = metadata({ pushed_authorization_request_endpoint: `${base.issuer}/v1/par`, require_pushed_authorization_requests: true });
  assert.equal(pushesAuthorizationRequest('auto', offered), false);
  assert.equal(pushesAuthorizationRequest('auto', required), true);
  assert.equal(pushesAuthorizationRequest('always', offered), true);
  assert.equal(pushesAuthorizationRequest('never', offered), false);
  assert.throws(() => pushesAuthorizationRequest('never', required), { code: 'PAR_REQUIRED' });
  assert.throws(() => pushesAuthorizationRequest('always', metadata()), { code: 'ENDPOINT_NOT_SUPPORTED' });
  assert.throws(() => pushesAuthorizationRequest('auto', metadata({ require_pushed_authorization_requests: true })), { code: 'ENDPOINT_NOT_SUPPORTED' });
});

test('DPoP with a provider that lists algorithms without ES256 is refused; silent metadata is left to the answer', () => {
  assert.throws(() => assertDpopOffered(metadata({ dpop_signing_alg_values_supported: ['RS256'] })), { code: 'ENDPOINT_NOT_SUPPORTED' });
  assertDpopOffered(metadata({ dpop_signing_alg_values_supported: ['ES256', 'EdDSA'] }));
  assertDpopOffered(metadata());
});

test('the keychain entry keeps the DPoP key with the refresh token; a malformed key makes the entry corrupt', async () => {
  const key = await generateDpopKey();
  assert.deepEqual(Object.keys(key.privateJwk).sort(), ['crv', 'd', 'kty', 'x', 'y']);
  const secret: StoredSecret = { v: 1, refreshToken: 'rt-0123456789', issuer: base.issuer, clientId: base.clientId, createdAt: 1, dpopKey: key.privateJwk };
  const parsed = parseSecret(serializeSecret(secret));
  assert.ok(parsed.kind === 'ok');
  assert.deepEqual(parsed.secret.dpopKey, key.privateJwk);
  assert.equal((await dpopKeyOf(parsed.secret.dpopKey ?? {})).jkt, key.jkt, 'the thumbprint is computed again from the stored key');
  const { d: _d, ...publicOnly } = key.privateJwk;
  assert.equal(parseSecret(JSON.stringify({ ...secret, dpopKey: publicOnly })).kind, 'corrupt');
  assert.equal(parseSecret(JSON.stringify({ ...secret, dpopKey: { ...key.privateJwk, crv: 'P-384' } })).kind, 'corrupt');
  const extra = parseSecret(JSON.stringify({ ...secret, dpopKey: { ...key.privateJwk, extra: 'dropped' } }));
  assert.ok(extra.kind === 'ok' && !('extra' in (extra.secret.dpopKey ?? {})), 'only the key members are kept');
});

test('a token response to a DPoP request: token_type must be DPoP, and a JWT access token\'s cnf.jkt must name the key', async () => {
  const key = await generateDpopKey();
  const signer = await dpopSigner(key);
  assert.equal(await signer.handle.calculateThumbprint(), key.jkt, 'the handle signs with the key of that thumbprint');
  const { privateKey } = await generateKeyPair('ES256');
  const jwt = (cnf: unknown): Promise<string> => new SignJWT({ sub: 'x', ...(cnf === undefined ? {} : { cnf }) }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(privateKey);
  assertDpopBound({ accessToken: 'opaque-token-value', tokenType: 'DPoP' }, key);
  assertDpopBound({ accessToken: await jwt({ jkt: key.jkt }), tokenType: 'dpop' }, key);
  assertDpopBound({ accessToken: await jwt(undefined), tokenType: 'DPoP' }, key);
  assert.throws(() => assertDpopBound({ accessToken: 'opaque-token-value', tokenType: 'Bearer' }, key), { code: 'DPOP_NOT_BOUND' });
  const other = await generateDpopKey();
  await assert.rejects(async () => assertDpopBound({ accessToken: await jwt({ jkt: other.jkt }), tokenType: 'DPoP' }, key), { code: 'DPOP_BINDING_MISMATCH' });
});

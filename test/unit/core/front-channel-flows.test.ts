/** Profiles of the implicit and hybrid flows (legacy): their response type, the openid scope, a public client, the response mode of each redirect. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HYBRID_RESPONSE_TYPES, IMPLICIT_RESPONSE_TYPES, responseModeFor } from '../../../src-main/core/front-channel-flows.ts';
import { parseInput } from '../../../src-main/core/api/schemas.ts';
import { parseProfile, type Profile } from '../../../src-main/core/profile.ts';

const base = { name: 'legacy', issuer: 'https://idp.example.com', clientId: 'c1', scopes: 'openid profile' };

test('each flow takes its own response types, and only those; the validated profile keeps the one chosen', () => {
  for (const responseType of IMPLICIT_RESPONSE_TYPES) assert.equal(parseProfile({ ...base, flow: 'implicit', responseType }).responseType, responseType);
  for (const responseType of HYBRID_RESPONSE_TYPES) assert.equal(parseProfile({ ...base, flow: 'hybrid', responseType }).responseType, responseType);
  for (const [flow, responseType] of [['implicit', 'code id_token'], ['hybrid', 'id_token token'], ['implicit', 'token'], ['hybrid', 'code'], ['implicit', undefined], ['hybrid', 42]] as const) {
    assert.throws(() => parseProfile({ ...base, flow, responseType }), { code: 'PROFILE_INVALID' }, `${flow} with ${String(responseType)}`);
  }
  for (const flow of ['authorization_code', 'password', undefined]) {
    assert.throws(() => parseProfile({ ...base, flow, responseType: 'id_token' }), { code: 'PROFILE_INVALID' }, `${String(flow)} takes no response type`);
    assert.equal('responseType' in parseProfile({ ...base, flow }), false);
  }
});

test('both flows are OpenID Connect public clients: openid required, no client secret', () => {
  assert.throws(() => parseProfile({ ...base, scopes: 'profile email', flow: 'implicit', responseType: 'id_token' }), { code: 'PROFILE_INVALID' });
  assert.throws(() => parseProfile({ ...base, flow: 'hybrid', responseType: 'code id_token', clientAuth: 'client_secret_basic' }), { code: 'PROFILE_INVALID' });
  const profile: Profile = parseProfile({ ...base, flow: 'hybrid', responseType: 'code id_token' });
  assert.equal(profile.clientAuth, 'none');
});

test('the response comes in the fragment on a custom scheme, as a form post on loopback', () => {
  const mode = (redirect: unknown): string => responseModeFor(parseProfile({ ...base, flow: 'implicit', responseType: 'id_token', redirect }).redirect);
  assert.equal(mode('app-scheme'), 'fragment');
  assert.equal(mode('com.example.app:/cb'), 'fragment');
  assert.equal(mode('loopback'), 'form_post');
  assert.equal(mode('http://127.0.0.1:8765/callback'), 'form_post');
  // The user may not choose the response mode: OIDC Desk sets it from the redirect.
  assert.throws(() => parseProfile({ ...base, flow: 'implicit', responseType: 'id_token', extraParams: { response_mode: 'query' } }), { code: 'PROFILE_INVALID' });
});

test('the API schema takes the five response types and nothing else, never echoing the value', () => {
  for (const responseType of [...IMPLICIT_RESPONSE_TYPES, ...HYBRID_RESPONSE_TYPES]) {
    parseInput('addProfile', { profile: { ...base, flow: 'implicit', responseType } });
  }
  for (const responseType of ['token', 'code', 'id_token  token', 'eyJhbGciOiJub25lIn0.pasted-token', 7]) {
    assert.throws(() => parseInput('addProfile', { profile: { ...base, flow: 'implicit', responseType } }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'USAGE');
      assert.ok(!error.message.includes('pasted-token'));
      return true;
    });
  }
});

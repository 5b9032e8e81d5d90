/**
 * What a profile's flow decides about its view and defaults: no redirect shown for a flow that uses none,
 * no `offline_access` by default where no refresh token can come (implicit, client credentials), and a
 * warning, not a refusal, when an implicit profile asks for it anyway. The editor's form agrees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileView } from '../../../src-main/core/api/desk-api.ts';
import { frontChannelWarning } from '../../../src-main/core/front-channel-flows.ts';
import { FLOWS, parseProfile, type Flow } from '../../../src-main/core/profile.ts';
import { formFromPreset, formToInput, withFlow } from '../../../src-renderer/format/profile-form.ts';

const base = { name: 'p', issuer: 'https://dev-123.okta.com/oauth2/default', clientId: '0oa1abc' };
/** What a flow needs besides the base: a confidential client for a service, a response type for the front-channel flows. */
function needs(flow: Flow): Record<string, unknown> {
  if (flow === 'client_credentials') return { clientAuth: 'client_secret_basic' };
  if (flow === 'implicit') return { responseType: 'id_token' };
  if (flow === 'hybrid') return { responseType: 'code id_token' };
  return {};
}
const REDIRECTED: readonly Flow[] = ['authorization_code', 'okta_session_token', 'implicit', 'hybrid'];

test('the view shows a redirect only for the flows whose answer comes on one; null for the others', () => {
  for (const flow of FLOWS) {
    for (const redirect of [undefined, 'loopback', 'http://127.0.0.1:8765/callback']) {
      const view = profileView(parseProfile({ ...base, flow, ...needs(flow), ...(redirect === undefined ? {} : { redirect }) }));
      if (REDIRECTED.includes(flow)) assert.equal(typeof view.redirect, 'string', `${flow} shows its redirect`);
      else assert.equal(view.redirect, null, `${flow} uses no redirect, so none is shown (${redirect ?? 'default'})`);
    }
  }
});

test('default scopes: offline_access only for the flows that can get a refresh token', () => {
  assert.deepEqual(parseProfile({ ...base, flow: 'implicit', ...needs('implicit') }).scopes, ['openid', 'profile', 'email']);
  assert.deepEqual(parseProfile({ ...base, flow: 'client_credentials', ...needs('client_credentials') }).scopes, []);
  for (const flow of ['authorization_code', 'hybrid', 'device_code', 'password', 'okta_session_token'] as const) {
    assert.ok(parseProfile({ ...base, flow, ...needs(flow) }).scopes.includes('offline_access'), `${flow} asks for a refresh token by default`);
  }
});

test('an implicit profile that asks for offline_access keeps it, and its view says it is useless', () => {
  const asked = profileView(parseProfile({ ...base, flow: 'implicit', ...needs('implicit'), scopes: 'openid offline_access' }));
  assert.deepEqual(asked.scopes, ['openid', 'offline_access']);
  assert.ok(asked.warning !== undefined && asked.warning.startsWith(frontChannelWarning('implicit')), 'the legacy warning stays first');
  assert.notEqual(asked.warning, frontChannelWarning('implicit'), 'and a word on offline_access follows');
  assert.match(asked.warning, /offline_access/);
  assert.equal(profileView(parseProfile({ ...base, flow: 'implicit', ...needs('implicit'), scopes: 'openid' })).warning, frontChannelWarning('implicit'));
  // The hybrid flow exchanges a code at the token endpoint: a refresh token can come, so no such word.
  assert.equal(profileView(parseProfile({ ...base, flow: 'hybrid', ...needs('hybrid') })).warning, frontChannelWarning('hybrid'));
});

test('the editor: the implicit flow starts without offline_access; back to the code flow, the default returns', () => {
  const implicit = withFlow(formFromPreset(undefined), 'implicit');
  assert.equal(implicit.scopes, 'openid profile email');
  assert.equal(withFlow(implicit, 'authorization_code').scopes, 'openid profile email offline_access');
  // Scopes the person typed are theirs: only offline_access goes when switching to implicit.
  const typed = withFlow({ ...formFromPreset(undefined), scopes: 'openid api:read offline_access' }, 'implicit');
  assert.equal(typed.scopes, 'openid api:read');
  assert.equal(withFlow(typed, 'authorization_code').scopes, 'openid api:read');
  const input = formToInput({ ...implicit, name: 'i', issuer: base.issuer, clientId: base.clientId });
  assert.ok('input' in input && input.input.scopes === 'openid profile email');
});

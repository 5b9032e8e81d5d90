/** Every operation of the API refuses malformed input at the boundary with USAGE, naming the field but never the value. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeskOperation } from '../../../../src-main/core/contract.ts';
import { DESK_OPERATIONS, parseInput } from '../../../../src-main/core/api/schemas.ts';

/** A value that must never be repeated in an error (it stands for a pasted token). */
const SECRET = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQtdmFsdWU.c2lnbmF0dXJl';

const MALFORMED: Readonly<Record<DeskOperation, readonly unknown[]>> = {
  listProfiles: [{ extra: SECRET }, SECRET, 1],
  addProfile: [undefined, {}, { profile: { name: 'p', issuer: 'https://x', clientId: 5 } }, { profile: { name: 'p', issuer: 'https://x', clientId: 'c', extra: SECRET } }, { profile: { name: '', issuer: 'https://x', clientId: 'c' } }, { profile: { name: 'p', issuer: 'https://x', clientId: 'c', extraParams: { k: 1 } } }],
  updateProfile: [{ name: 'p' }, { name: 7, profile: { name: 'p', issuer: 'https://x', clientId: 'c' } }],
  removeProfile: [{}, { name: null }, { name: 'p', extra: SECRET }],
  checkProvider: [{}, { profile: 1 }, { issuer: 'https://x' }, { issuer: 'https://x', clientId: 'c', allowHttpLoopback: 'yes' }, { profile: 'p', issuer: SECRET }],
  startSignIn: [{}, { profile: 'p', timeoutSeconds: 0 }, { profile: 'p', options: { maxAge: -1 } }, { profile: 'p', options: { maxAge: 1.5 } }, { profile: 'p', options: { loginHint: 3 } }, { profile: 'p', options: { prompt: SECRET, other: 1 } }, { profile: 'p', username: 'alice', password: 5 }, { profile: 'p', username: '', password: SECRET }, { profile: 'p', username: 'alice', password: SECRET, extra: 1 }, { profile: 'p', password: 'x'.repeat(4097) }],
  cancelSignIn: [{}, { flowId: 3 }, { flowId: 'x'.repeat(65) }],
  listSessions: [{ a: 1 }, [SECRET]],
  getSession: [{}, { sessionId: 1 }, { sessionId: '' }, { sessionId: 's', extra: SECRET }, SECRET],
  refreshSession: [{}, { sessionId: [SECRET] }],
  getUserinfo: [{}, { sessionId: { toString: SECRET } }],
  introspectToken: [{ sessionId: 's' }, { sessionId: 's', token: 'id' }, { sessionId: 's', token: SECRET }],
  revokeToken: [{ sessionId: 's' }, { sessionId: 's', token: 'id' }],
  signOut: [{}, { sessionId: 's', revoke: 'yes' }, { sessionId: 's', endSession: 1 }],
  revealToken: [{ sessionId: 's' }, { sessionId: 's', type: 'refresh' }, { sessionId: 's', type: 'access', minValiditySeconds: -1 }, { sessionId: 's', type: 'access', minValiditySeconds: 86_401 }],
  inspectJwt: [{}, { token: '' }, { token: 5 }, { sessionId: 's', token: SECRET }, { token: 'x'.repeat(64 * 1024 + 1) }],
  sessionTimeline: [{}, { sessionId: 3 }, { sessionId: 's', extra: SECRET }],
  exportHar: [{}, { sessionId: null }],
  keychainStatus: [{ a: SECRET }],
  startupProblems: [{ a: 1 }],
  demoProvider: [7],
  ensureDemoProvider: [{ port: 1 }],
  schemeStatus: [undefined, {}, { profile: 3 }, { profile: '' }, { profile: 'p', scheme: SECRET }],
  testScheme: [null, { profile: [SECRET] }, { profile: 'p', timeoutSeconds: 1 }, { profile: 'p', nonce: SECRET }],

  clientCredential: [{}, { profile: 1 }, { profile: 'p', secret: SECRET }],
  setClientSecret: [{ profile: 'p' }, { profile: 'p', secret: '' }, { profile: 'p', secret: 5 }, { profile: 'p', secret: SECRET, extra: 1 }, { secret: SECRET }],
  generateClientKey: [{}, { profile: 'p', alg: 'HS256' }, { profile: 'p', alg: SECRET }],
};

for (const operation of DESK_OPERATIONS) {
  test(`${operation}: malformed input is refused with USAGE, the value never repeated`, () => {
    const cases = MALFORMED[operation];
    assert.ok(cases.length > 0);
    for (const input of cases) {
      assert.throws(() => parseInput(operation, input), (e: unknown) => {
        const error = e as { code?: string; message?: string };
        assert.equal(error.code, 'USAGE', `${operation} ${JSON.stringify(input)?.slice(0, 80)}`);
        assert.ok(!String(error.message).includes(SECRET), 'the value is not repeated');
        return true;
      });
    }
  });
}

test('well-formed inputs pass and come out unchanged', () => {
  assert.deepEqual(parseInput('getSession', { sessionId: 's-0123abcd' }), { sessionId: 's-0123abcd' });
  assert.equal(parseInput('listSessions', undefined), undefined);
  assert.deepEqual(parseInput('startSignIn', { profile: 'okta', options: { maxAge: 300, prompt: 'login' } }), { profile: 'okta', options: { maxAge: 300, prompt: 'login' } });
  assert.deepEqual(parseInput('inspectJwt', { token: SECRET }), { token: SECRET });
});

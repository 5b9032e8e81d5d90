/**
 * The one JWT decoder (no verification): which strings are a compact JWS with a JSON header and JSON
 * claims, which are a JWE, and that the report and the masked-token view agree with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64url } from 'jose';
import { decodeJwt, tokenFormat } from '../../../../src-main/core/oauth/jwt-decode.ts';
import { buildJwtReport } from '../../../../src-main/core/oauth/jwt-report.ts';
import { maskToken } from '../../../../src-main/core/session/views.ts';

const enc = (value: unknown): string => base64url.encode(typeof value === 'string' ? value : JSON.stringify(value));
const HEADER = enc({ alg: 'RS256', kid: 'k1' });
const CLAIMS = enc({ iss: 'https://idp.example.test', sub: 'alice' });

test('a compact JWS decodes to its header and claims (nothing verified)', () => {
  const decoded = decodeJwt(`${HEADER}.${CLAIMS}.c2lnbmF0dXJl`);
  assert.deepEqual(decoded?.header, { alg: 'RS256', kid: 'k1' });
  assert.deepEqual(decoded?.claims, { iss: 'https://idp.example.test', sub: 'alice' });
  assert.equal(decodeJwt(`${HEADER}.${CLAIMS}.`)?.claims['sub'], 'alice', 'an empty signature (alg none) still decodes');
});

const NOT_JWS: readonly [string, string][] = [
  ['three parts that are not base64url JSON', 'abc.def.ghi'],
  ['an opaque token', 'Gh4gT0tyIcjs1oUVn1Hq8lU8pJ0l3Q8s'],
  ['two parts', `${HEADER}.${CLAIMS}`],
  ['four parts', `${HEADER}.${CLAIMS}.sig.more`],
  ['claims that are a JSON array', `${HEADER}.${enc([1, 2])}.sig`],
  ['claims that are JSON text', `${HEADER}.${enc('"hello"')}.sig`],
  ['a header that is not JSON', `${enc('not json')}.${CLAIMS}.sig`],
  ['claims that are not UTF-8', `${HEADER}.${base64url.encode(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]))}.sig`],
  ['standard base64 characters', `${HEADER}.${CLAIMS}+/.sig`],
  ['a signature with a padding character', `${HEADER}.${CLAIMS}.sig=`],
  ['an empty header', `.${CLAIMS}.sig`],
  ['the empty string', ''],
];

for (const [name, token] of NOT_JWS) {
  test(`not a JWS: ${name}`, () => {
    assert.equal(decodeJwt(token), undefined);
    assert.notEqual(tokenFormat(token), 'jwt');
  });
}

test('a five-part compact JWE is "jwe", never decoded', () => {
  const jwe = `${enc({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a2V5.aXY.Y2lwaGVy.dGFn`;
  assert.equal(tokenFormat(jwe), 'jwe');
  assert.equal(decodeJwt(jwe), undefined);
});

test('anything that is not a string is opaque', () => {
  for (const value of [undefined, null, 42, {}, ['a.b.c']]) assert.equal(tokenFormat(value), 'opaque');
});

test('the verification report and the masked-token view agree with the decoder on every case', async () => {
  const cases = [`${HEADER}.${CLAIMS}.c2ln`, ...NOT_JWS.map(([, token]) => token)];
  for (const token of cases) {
    const isJws = decodeJwt(token) !== undefined;
    const report = await buildJwtReport(token, { issuer: 'https://idp.example.test', audience: 'c', now: () => 0 });
    assert.equal(report.kind === 'jwt', isJws, `report for ${JSON.stringify(token)}`);
    assert.equal(maskToken(token).format, isJws ? 'jwt' : 'opaque', `view for ${JSON.stringify(token)}`);
  }
});

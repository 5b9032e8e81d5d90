/**
 * An ID token from the authorization endpoint (implicit and hybrid flows): the nonce is required, `at_hash`
 * is required when an access token came with it and `c_hash` when a code did (OIDC Core §3.2.2.9-11,
 * §3.3.2.10-11), each failure with its own code; a code-flow report keeps its rows and codes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validateIdToken } from '../../../../src-main/core/oauth/id-token.ts';
import { buildJwtReport, type JwtReport, type JwtReportContext } from '../../../../src-main/core/oauth/jwt-report.ts';
import type { JwksCache } from '../../../../src-main/core/oauth/jwks.ts';
import { ACCESS_TOKEN, atHash, CLIENT_ID, idClaims, ISSUER, JwksServer, jwksOf, makeKey, NONCE, NOW_MS, sign, type TestKey } from './jwt-fixtures.ts';

const CODE = 'code-SECRET-authorization-code-0123456789';
let server: JwksServer;
let rs: TestKey;
let es384: TestKey;

before(async () => {
  server = await new JwksServer().start();
  rs = await makeKey('rs');
  es384 = await makeKey('es384', 'ES384');
  server.serve(jwksOf(rs, es384));
});

after(() => server.stop());

function ctx(jwks: JwksCache, extra: Partial<JwtReportContext> = {}): JwtReportContext & { jwks: JwksCache } {
  return { issuer: ISSUER, audience: CLIENT_ID, nonce: NONCE, now: () => NOW_MS, ...extra, jwks };
}

function checksOf(report: JwtReport): Record<string, { result: string; code: string | undefined }> {
  assert.equal(report.kind, 'jwt');
  return Object.fromEntries((report as Extract<JwtReport, { kind: 'jwt' }>).checks.map((c) => [c.id, { result: c.result, code: c.code }]));
}

test('implicit id_token token: at_hash required and matching; missing or wrong ones refused with their codes', async () => {
  const jwks = server.cache();
  const front = { accessToken: ACCESS_TOKEN, frontChannel: {} };
  const good = await sign(rs, idClaims({ at_hash: atHash(ACCESS_TOKEN) }));
  const ok = await validateIdToken(good, ctx(jwks, front));
  assert.equal(ok.report.checks.find((c) => c.id === 'at_hash')?.result, 'pass');
  assert.equal(ok.report.checks.find((c) => c.id === 'c_hash')?.result, 'not-applicable', 'no code came: c_hash not compared');

  await assert.rejects(validateIdToken(await sign(rs, idClaims()), ctx(jwks, front)), { code: 'ID_TOKEN_AT_HASH_MISSING' });
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ at_hash: atHash('another-access-token') })), ctx(jwks, front)), { code: 'ID_TOKEN_AT_HASH_MISMATCH' });
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ at_hash: 42 })), ctx(jwks, front)), { code: 'ID_TOKEN_AT_HASH_MISMATCH' });
  // Without an access token beside it (response_type=id_token) at_hash is not asked for.
  const alone = await validateIdToken(await sign(rs, idClaims()), ctx(jwks, { frontChannel: {} }));
  assert.equal(alone.report.checks.find((c) => c.id === 'at_hash')?.result, 'not-applicable');
});

test('hybrid code id_token: c_hash required and matching (the alg\'s hash: ES384 takes SHA-384), refused with its codes', async () => {
  const jwks = server.cache();
  const front = { frontChannel: { code: CODE } };
  for (const key of [rs, es384]) {
    const good = await validateIdToken(await sign(key, idClaims({ c_hash: atHash(CODE, key.alg === 'ES384' ? 384 : 256) })), ctx(jwks, front));
    assert.deepEqual(checksOf(good.report)['c_hash'], { result: 'pass', code: undefined }, key.alg);
  }
  await assert.rejects(validateIdToken(await sign(rs, idClaims()), ctx(jwks, front)), { code: 'ID_TOKEN_C_HASH_MISSING' });
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ c_hash: atHash('another-code') })), ctx(jwks, front)), { code: 'ID_TOKEN_C_HASH_MISMATCH' });
  await assert.rejects(validateIdToken(await sign(es384, idClaims({ c_hash: atHash(CODE, 256) })), ctx(jwks, front)), { code: 'ID_TOKEN_C_HASH_MISMATCH' }, 'SHA-256 under ES384');

  // code id_token token: both bound, the code and the access token.
  const both = { accessToken: ACCESS_TOKEN, frontChannel: { code: CODE } };
  const report = checksOf(await buildJwtReport(await sign(rs, idClaims({ c_hash: atHash(CODE), at_hash: atHash(ACCESS_TOKEN) })), ctx(jwks, both)));
  assert.deepEqual([report['c_hash']?.result, report['at_hash']?.result], ['pass', 'pass']);
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ c_hash: atHash(CODE) })), ctx(jwks, both)), { code: 'ID_TOKEN_AT_HASH_MISSING' });
});

test('front channel: a missing, wrong or unknown nonce is ID_TOKEN_NONCE_MISMATCH; the details name no secret', async () => {
  const jwks = server.cache();
  const front = { frontChannel: {} };
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ nonce: 'another-nonce' })), ctx(jwks, front)), { code: 'ID_TOKEN_NONCE_MISMATCH' });
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ nonce: undefined })), ctx(jwks, front)), { code: 'ID_TOKEN_NONCE_MISMATCH' });
  await assert.rejects(validateIdToken(await sign(rs, idClaims()), ctx(jwks, { ...front, nonce: undefined })), { code: 'ID_TOKEN_NONCE_MISMATCH' });
  const token = await sign(rs, idClaims({ c_hash: atHash('another-code'), at_hash: atHash('x') }));
  const report = await buildJwtReport(token, ctx(jwks, { accessToken: ACCESS_TOKEN, frontChannel: { code: CODE } }));
  assert.equal(report.kind, 'jwt');
  const details = JSON.stringify(report.kind === 'jwt' ? report.checks : []);
  for (const secret of [CODE, ACCESS_TOKEN, NONCE]) assert.ok(!details.includes(secret), 'no secret in a check\'s detail');
});

test('the code flow is unchanged: no c_hash row, an optional at_hash, a wrong nonce or at_hash still ID_TOKEN_INVALID', async () => {
  const jwks = server.cache();
  const report = checksOf(await buildJwtReport(await sign(rs, idClaims()), ctx(jwks, { accessToken: ACCESS_TOKEN })));
  assert.equal(report['c_hash'], undefined);
  assert.equal(report['at_hash']?.result, 'not-applicable');
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ nonce: 'another' })), ctx(jwks)), { code: 'ID_TOKEN_INVALID' });
  await assert.rejects(validateIdToken(await sign(rs, idClaims({ at_hash: atHash('x') })), ctx(jwks, { accessToken: ACCESS_TOKEN })), { code: 'ID_TOKEN_INVALID' });
  // A c_hash claim a code-flow token carries anyway (Glewlwyd's do) adds no row.
  assert.equal(checksOf(await buildJwtReport(await sign(rs, idClaims({ c_hash: 'abc' })), ctx(jwks)))['c_hash'], undefined);
});

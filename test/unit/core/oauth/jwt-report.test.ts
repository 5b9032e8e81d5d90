import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base64url, SignJWT } from 'jose';
import { buildJwtReport, type JwtCheck, type JwtReport, type JwtReportContext } from '../../../../src-main/core/oauth/jwt-report.ts';
import type { JwksCache } from '../../../../src-main/core/oauth/jwks.ts';
import {
  ACCESS_TOKEN, atHash, CLIENT_ID, idClaims, ISSUER, JwksServer, jwksOf, makeKey, NONCE, NOW_MS, NOW_S, sign, unsignedToken, type TestKey,
} from './jwt-fixtures.ts';

let server: JwksServer;
let k1: TestKey;
let es: TestKey;
let ed: TestKey;
let ps384: TestKey;

before(async () => {
  server = await new JwksServer().start();
  k1 = await makeKey('k1');
  es = await makeKey('es', 'ES256');
  ed = await makeKey('ed', 'EdDSA');
  ps384 = await makeKey('ps', 'PS384');
  server.serve(jwksOf(k1, es, ed, ps384));
});

after(() => server.stop());

function ctx(jwks: JwksCache, extra: Partial<JwtReportContext> = {}): JwtReportContext {
  return { issuer: ISSUER, audience: CLIENT_ID, jwks, nonce: NONCE, accessToken: ACCESS_TOKEN, now: () => NOW_MS, ...extra };
}

function jwt(report: JwtReport): Extract<JwtReport, { kind: 'jwt' }> {
  assert.equal(report.kind, 'jwt');
  return report as Extract<JwtReport, { kind: 'jwt' }>;
}

function check(report: JwtReport, id: JwtCheck['id']): JwtCheck {
  const found = jwt(report).checks.find((c) => c.id === id);
  assert.ok(found, `no ${id} check`);
  return found;
}

/** Results by check id, for compact assertions. */
function results(report: JwtReport): Record<string, string> {
  return Object.fromEntries(jwt(report).checks.map((c) => [c.id, c.result]));
}

/** No detail may carry the token, the nonce or the access token. */
function assertNoSecrets(report: JwtReport, token: string): void {
  const details = JSON.stringify(jwt(report).checks);
  for (const secret of [token, NONCE, ACCESS_TOKEN, token.split('.')[2] ?? token]) {
    if (secret.length > 0) assert.ok(!details.includes(secret), 'a check detail leaks a secret');
  }
}

test('a valid RS256 ID token passes every check, each with its reason', async () => {
  const jwks = server.cache();
  const token = await sign(k1, idClaims({ at_hash: atHash(ACCESS_TOKEN) }));
  const report = await buildJwtReport(token, ctx(jwks, { allowedAlgs: ['RS256', 'ES256'] }));
  assert.deepEqual(results(report), {
    alg: 'pass', signature: 'pass', typ: 'pass', iss: 'pass', sub: 'pass', aud: 'pass', azp: 'not-applicable',
    exp: 'pass', nbf: 'not-applicable', iat: 'pass', nonce: 'pass', at_hash: 'pass', auth_time: 'not-applicable',
  });
  assert.equal(jwt(report).valid, true);
  assert.equal(check(report, 'signature').detail, 'verified with kid=k1 alg=RS256 from the provider\'s JWKS');
  assert.equal(check(report, 'exp').detail, 'expires 2026-11-23T10:05:00Z, in 5 min (skew allowed 60 s)');
  assert.equal(check(report, 'nonce').detail, 'matches the one sent with the authorization request');
  assert.equal(jwt(report).claims['sub'], 'alice');
  assert.equal(jwt(report).header['kid'], 'k1');
  assertNoSecrets(report, token);
});

test('bad signature (tampered payload) fails the signature check only', async () => {
  const token = await sign(k1, idClaims());
  const [h, , s] = token.split('.');
  const forged = `${h}.${base64url.encode(JSON.stringify(idClaims({ sub: 'mallory' })))}.${s}`;
  const report = await buildJwtReport(forged, ctx(server.cache()));
  const sig = check(report, 'signature');
  assert.equal(sig.result, 'fail');
  assert.equal(sig.code, 'ID_TOKEN_SIGNATURE_INVALID');
  assert.equal(check(report, 'alg').result, 'pass');
  assert.equal(check(report, 'iss').result, 'pass');
  assert.equal(jwt(report).valid, false);
  assertNoSecrets(report, forged);
});

test('alg none always fails, without any attempt to verify', async () => {
  const jwks = server.cache();
  const token = unsignedToken(idClaims());
  const report = await buildJwtReport(token, ctx(jwks, { allowedAlgs: ['none', 'RS256'] }));
  assert.equal(check(report, 'alg').result, 'fail');
  assert.equal(check(report, 'alg').code, 'ID_TOKEN_ALG_NOT_ALLOWED');
  assert.equal(check(report, 'signature').result, 'fail');
  assert.equal(jwt(report).valid, false);
  assert.equal(jwks.fetchCount, 0);
});

test('HS256 (signed with some secret) always fails for a public client, without verifying', async () => {
  const jwks = server.cache();
  const token = await new SignJWT(idClaims()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
  const report = await buildJwtReport(token, ctx(jwks, { allowedAlgs: ['HS256', 'RS256'] }));
  assert.equal(check(report, 'alg').result, 'fail');
  assert.equal(check(report, 'alg').code, 'ID_TOKEN_ALG_NOT_ALLOWED');
  assert.match(check(report, 'alg').detail, /shared-secret/);
  assert.equal(check(report, 'signature').result, 'fail');
  assert.equal(jwks.fetchCount, 0);
});

test('an asymmetric alg the provider does not advertise fails', async () => {
  const token = await sign(es, idClaims());
  const report = await buildJwtReport(token, ctx(server.cache(), { allowedAlgs: ['RS256'] }));
  assert.equal(check(report, 'alg').result, 'fail');
  assert.equal(check(report, 'alg').code, 'ID_TOKEN_ALG_NOT_ALLOWED');
  assert.equal(check(report, 'signature').result, 'fail');
});

test('ES256, EdDSA and PS384 verify, and at_hash uses the alg\'s hash (Ed25519: SHA-512)', async () => {
  for (const [key, bits] of [[es, 256], [ed, 512], [ps384, 384]] as const) {
    const token = await sign(key, idClaims({ at_hash: atHash(ACCESS_TOKEN, bits) }));
    const report = await buildJwtReport(token, ctx(server.cache()));
    assert.equal(check(report, 'signature').result, 'pass', `${key.alg}: ${check(report, 'signature').detail}`);
    assert.equal(check(report, 'at_hash').result, 'pass', `${key.alg}: ${check(report, 'at_hash').detail}`);
    assert.equal(jwt(report).valid, true);
  }
});

test('no JWKS: the signature is never reported verified', async () => {
  const token = await sign(k1, idClaims());
  const report = await buildJwtReport(token, { issuer: ISSUER, audience: CLIENT_ID, now: () => NOW_MS });
  assert.equal(check(report, 'signature').result, 'fail');
  assert.equal(check(report, 'signature').code, 'ID_TOKEN_SIGNATURE_INVALID');
  assert.equal(jwt(report).valid, false);
});

test('an unknown kid is reported as ID_TOKEN_KEY_NOT_FOUND', async () => {
  const stranger = await makeKey('stranger');
  const token = await sign(stranger, idClaims());
  const report = await buildJwtReport(token, ctx(server.cache()));
  assert.equal(check(report, 'signature').result, 'fail');
  assert.equal(check(report, 'signature').code, 'ID_TOKEN_KEY_NOT_FOUND');
});

test('a known kid with a key that did not sign the token fails the signature', async () => {
  const impostor = await makeKey('k1');
  const token = await sign(impostor, idClaims());
  const report = await buildJwtReport(token, ctx(server.cache()));
  assert.equal(check(report, 'signature').code, 'ID_TOKEN_SIGNATURE_INVALID');
});

const claimCases: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>, Partial<JwtReportContext>, JwtCheck['id'], RegExp]> = [
  ['wrong iss', { iss: 'https://evil.example' }, {}, 'iss', /"https:\/\/evil\.example", not the discovered issuer/],
  ['iss differing by a trailing slash', { iss: `${ISSUER}/` }, {}, 'iss', /exact match/],
  ['missing iss', { iss: undefined }, {}, 'iss', /no iss/],
  ['wrong aud', { aud: 'other-client' }, {}, 'aud', /does not contain this client's id/],
  ['aud array without the client', { aud: ['a', 'b'], azp: CLIENT_ID }, {}, 'aud', /does not contain/],
  ['aud of the wrong type', { aud: 42 }, {}, 'aud', /neither a string nor/],
  ['missing sub', { sub: undefined }, {}, 'sub', /no sub/],
  ['wrong nonce', { nonce: 'another-nonce' }, {}, 'nonce', /^differs/],
  ['missing nonce', { nonce: undefined }, {}, 'nonce', /^missing/],
  ['expired', { exp: NOW_S - 600, iat: NOW_S - 900 }, {}, 'exp', /^expired 2026-11-23T09:50:00Z, 10 min ago \(skew allowed 60 s\)$/],
  ['missing exp', { exp: undefined }, {}, 'exp', /no exp/],
  ['exp not a number', { exp: '1700000000' }, {}, 'exp', /not a NumericDate/],
  ['iat far in the future', { iat: NOW_S + 3600, exp: NOW_S + 7200 }, {}, 'iat', /60 min in the future/],
  ['nbf in the future', { nbf: NOW_S + 600 }, {}, 'nbf', /^not valid before/],
  ['at_hash wrong', { at_hash: atHash('another-access-token') }, {}, 'at_hash', /does not match the access token/],
  ['azp missing with several audiences', { aud: [CLIENT_ID, 'api'] }, {}, 'azp', /azp is required/],
  ['azp of another party with several audiences', { aud: [CLIENT_ID, 'api'], azp: 'api' }, {}, 'azp', /not this client's id/],
  ['azp of another party with one audience', { azp: 'someone-else' }, {}, 'azp', /not this client's id/],
  ['auth_time too old for max_age', { auth_time: NOW_S - 3600 }, { maxAgeSeconds: 300 }, 'auth_time', /max_age is 300 s/],
  ['auth_time missing with max_age', {}, { maxAgeSeconds: 300 }, 'auth_time', /required because max_age/],
  ['typ of an access token', {}, {}, 'typ', /another kind of token/],
];

for (const [name, claims, extra, id, detail] of claimCases) {
  test(`${name}: the ${id} check fails with ID_TOKEN_INVALID, the others stand on their own`, async () => {
    const token = await sign(k1, idClaims(claims), id === 'typ' ? { typ: 'at+jwt' } : {});
    const report = await buildJwtReport(token, ctx(server.cache(), extra));
    const c = check(report, id);
    assert.equal(c.result, 'fail', c.detail);
    assert.equal(c.code, 'ID_TOKEN_INVALID');
    assert.match(c.detail, detail);
    assert.equal(check(report, 'signature').result, 'pass');
    assert.equal(jwt(report).valid, false);
    const failing = jwt(report).checks.filter((x) => x.result === 'fail').map((x) => x.id);
    assert.deepEqual(failing, [id]);
    assertNoSecrets(report, token);
  });
}

test('time checks allow the skew: expired 30 s ago, iat and nbf 30 s ahead pass', async () => {
  const token = await sign(k1, idClaims({ exp: NOW_S - 30, iat: NOW_S + 30, nbf: NOW_S + 30 }));
  const report = await buildJwtReport(token, ctx(server.cache()));
  assert.deepEqual([check(report, 'exp').result, check(report, 'iat').result, check(report, 'nbf').result], ['pass', 'pass', 'pass']);
});

test('the skew is capped at 60 s', async () => {
  const token = await sign(k1, idClaims({ exp: NOW_S - 120 }));
  const report = await buildJwtReport(token, ctx(server.cache(), { skewSeconds: 600 }));
  assert.equal(check(report, 'exp').result, 'fail');
  assert.match(check(report, 'exp').detail, /skew allowed 60 s/);
  const strict = await buildJwtReport(await sign(k1, idClaims({ exp: NOW_S - 30 })), ctx(server.cache(), { skewSeconds: 0 }));
  assert.equal(check(strict, 'exp').result, 'fail');
});

test('a clock offset is reported and explains a time failure, but does not move the checks', async () => {
  const token = await sign(k1, idClaims({ exp: NOW_S - 600, iat: NOW_S - 900 }));
  const report = await buildJwtReport(token, ctx(server.cache(), { clockOffsetMs: -15 * 60_000 }));
  assert.equal(jwt(report).clockOffsetMs, -15 * 60_000);
  assert.equal(check(report, 'exp').result, 'fail');
  assert.match(check(report, 'exp').detail, /this computer's clock is 15 min ahead of the provider's/);
  // An offset in the other direction does not explain an expiry: no hint.
  const behind = await buildJwtReport(token, ctx(server.cache(), { clockOffsetMs: 15 * 60_000 }));
  assert.doesNotMatch(check(behind, 'exp').detail, /clock/);
  // A local clock behind the provider's explains an iat in the future.
  const future = await buildJwtReport(await sign(k1, idClaims({ iat: NOW_S + 600 })), ctx(server.cache(), { clockOffsetMs: 10 * 60_000 }));
  assert.match(check(future, 'iat').detail, /this computer's clock is 10 min behind the provider's/);
});

test('at_hash: not applicable without an access token or without the claim', async () => {
  const withClaim = await sign(k1, idClaims({ at_hash: atHash(ACCESS_TOKEN) }));
  const noAt = await buildJwtReport(withClaim, ctx(server.cache(), { accessToken: undefined }));
  assert.equal(check(noAt, 'at_hash').result, 'not-applicable');
  const noClaim = await buildJwtReport(await sign(k1, idClaims()), ctx(server.cache()));
  assert.equal(check(noClaim, 'at_hash').result, 'not-applicable');
});

test('azp with several audiences passes when it is the client id', async () => {
  const token = await sign(k1, idClaims({ aud: [CLIENT_ID, 'api'], azp: CLIENT_ID }));
  const report = await buildJwtReport(token, ctx(server.cache()));
  assert.equal(check(report, 'aud').result, 'pass');
  assert.equal(check(report, 'azp').result, 'pass');
  assert.equal(jwt(report).valid, true);
});

test('nonce: not applicable when none was sent, fails when required', async () => {
  const token = await sign(k1, idClaims({ nonce: undefined }));
  const report = await buildJwtReport(token, ctx(server.cache(), { nonce: undefined }));
  assert.equal(check(report, 'nonce').result, 'not-applicable');
  const required = await buildJwtReport(token, ctx(server.cache(), { nonce: undefined, requireNonce: true }));
  assert.equal(check(required, 'nonce').result, 'fail');
});

test('auth_time within max_age passes', async () => {
  const token = await sign(k1, idClaims({ auth_time: NOW_S - 100 }));
  const report = await buildJwtReport(token, ctx(server.cache(), { maxAgeSeconds: 300 }));
  assert.equal(check(report, 'auth_time').result, 'pass');
});

for (const [name, authTime] of [['0', 0], ['before 2000', 946_684_799], ['in the future', NOW_S + 3600]] as const) {
  test(`an implausible auth_time (${name}) is flagged, not shown as a plain date; with max_age it fails`, async () => {
    const token = await sign(k1, idClaims({ auth_time: authTime }));
    const plain = await buildJwtReport(token, ctx(server.cache()));
    assert.equal(check(plain, 'auth_time').result, 'warn');
    assert.equal(jwt(plain).valid, true, 'a warning alone does not refuse the token');
    const bounded = await buildJwtReport(token, ctx(server.cache(), { maxAgeSeconds: 10 * 365 * 86_400 }));
    assert.equal(check(bounded, 'auth_time').result, 'fail');
  });
}

test('a plausible auth_time without max_age is shown, not flagged', async () => {
  const token = await sign(k1, idClaims({ auth_time: NOW_S - 100 }));
  assert.equal(check(await buildJwtReport(token, ctx(server.cache())), 'auth_time').result, 'not-applicable');
});

test('opaque tokens are reported as opaque, never verified', async () => {
  const jwks = server.cache();
  const payload = base64url.encode('{"sub":"x"}');
  const header = base64url.encode('{"alg":"RS256"}');
  for (const token of [
    'mF_9.B5f-4.1JqM',
    '2YotnFZFEjr1zCsicMWpAA',
    '',
    `${header}.${payload}`,
    `${header}.${base64url.encode('not json')}.sig`,
    `${header}.${base64url.encode('[1,2]')}.sig`,
    `${base64url.encode('"str"')}.${payload}.sig`,
    `${header}.${payload}.s!g`,
    `${header}.${payload}+.sig`,
  ]) {
    const report = await buildJwtReport(token, ctx(jwks));
    assert.deepEqual(report, { kind: 'opaque', length: token.length }, token);
  }
  assert.equal(jwks.fetchCount, 0);
});

test('a JWE (5 parts) is reported as opaque and encrypted', async () => {
  const jwe = [base64url.encode('{"alg":"RSA-OAEP","enc":"A256GCM"}'), 'a2V5', 'aXY', 'Y2lwaGVy', 'dGFn'].join('.');
  const report = await buildJwtReport(jwe, ctx(server.cache()));
  assert.deepEqual(report, { kind: 'opaque', length: jwe.length, encrypted: true });
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base64url, SignJWT } from 'jose';
import { isDeskError, type ErrorCode } from '../../../../src-main/core/errors.ts';
import { checkRefreshedIdToken, validateIdToken, type IdTokenClaims } from '../../../../src-main/core/oauth/id-token.ts';
import type { JwksCache } from '../../../../src-main/core/oauth/jwks.ts';
import type { JwtReportContext } from '../../../../src-main/core/oauth/jwt-report.ts';
import {
  ACCESS_TOKEN, atHash, CLIENT_ID, idClaims, ISSUER, JwksServer, jwksOf, makeKey, NONCE, NOW_MS, NOW_S, sign, unsignedToken, type TestKey,
} from './jwt-fixtures.ts';

let server: JwksServer;
let k1: TestKey;
let k2: TestKey;

before(async () => {
  server = await new JwksServer().start();
  k1 = await makeKey('k1');
  k2 = await makeKey('k2');
});

after(() => server.stop());

function ctx(jwks: JwksCache, extra: Partial<Omit<JwtReportContext, 'jwks'>> = {}): JwtReportContext & { jwks: JwksCache } {
  return { issuer: ISSUER, audience: CLIENT_ID, jwks, allowedAlgs: ['RS256'], nonce: NONCE, accessToken: ACCESS_TOKEN, now: () => NOW_MS, ...extra };
}

/** Asserts the DeskError code, and that the message carries neither the token nor the nonce. */
function refusedWith(code: ErrorCode, token: string, message?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isDeskError(error), `expected a DeskError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const secret of [token, NONCE, ACCESS_TOKEN]) assert.ok(!error.message.includes(secret), 'the message leaks a secret');
    if (message) assert.match(error.message, message);
    return true;
  };
}

test('a valid ID token is accepted with its claims, header and report', async () => {
  server.serve(jwksOf(k1));
  const token = await sign(k1, idClaims({ at_hash: atHash(ACCESS_TOKEN) }));
  const result = await validateIdToken(token, ctx(server.cache()));
  assert.equal(result.claims.sub, 'alice');
  assert.equal(result.claims.iss, ISSUER);
  assert.equal(result.header['kid'], 'k1');
  assert.equal(result.report.kind, 'jwt');
  assert.equal(result.report.valid, true);
  assert.equal(result.report.checks.find((c) => c.id === 'at_hash')?.result, 'pass');
});

test('bad signature (tampered payload) -> ID_TOKEN_SIGNATURE_INVALID', async () => {
  server.serve(jwksOf(k1));
  const token = await sign(k1, idClaims());
  const [h, , s] = token.split('.');
  const forged = `${h}.${base64url.encode(JSON.stringify(idClaims({ sub: 'admin' })))}.${s}`;
  await assert.rejects(validateIdToken(forged, ctx(server.cache())), refusedWith('ID_TOKEN_SIGNATURE_INVALID', forged));
});

test('alg none -> ID_TOKEN_ALG_NOT_ALLOWED, the JWKS is not even fetched', async () => {
  server.serve(jwksOf(k1));
  const jwks = server.cache();
  const token = unsignedToken(idClaims());
  await assert.rejects(validateIdToken(token, ctx(jwks, { allowedAlgs: ['none', 'RS256'] })), refusedWith('ID_TOKEN_ALG_NOT_ALLOWED', token, /unsigned/));
  assert.equal(jwks.fetchCount, 0);
});

test('HS256 for a public client -> ID_TOKEN_ALG_NOT_ALLOWED', async () => {
  server.serve(jwksOf(k1));
  const jwks = server.cache();
  const token = await new SignJWT(idClaims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('client-secret-that-nobody-should-have'));
  await assert.rejects(validateIdToken(token, ctx(jwks, { allowedAlgs: ['HS256'] })), refusedWith('ID_TOKEN_ALG_NOT_ALLOWED', token));
  assert.equal(jwks.fetchCount, 0);
});

test('unknown kid after key rotation: one JWKS refetch, then the new key verifies and the token is accepted', async () => {
  server.serve(jwksOf(k1));
  const jwks = server.cache();
  await validateIdToken(await sign(k1, idClaims()), ctx(jwks));
  assert.equal(jwks.fetchCount, 1);
  server.serve(jwksOf(k2)); // the provider rotates its signing key
  server.hits = 0;
  const result = await validateIdToken(await sign(k2, idClaims()), ctx(jwks));
  assert.equal(jwks.fetchCount, 2);
  assert.equal(server.hits, 1);
  assert.match(result.report.checks.find((c) => c.id === 'signature')?.detail ?? '', /kid=k2 .*refetched/);
});

test('a kid in neither JWKS -> ID_TOKEN_KEY_NOT_FOUND after exactly one refetch', async () => {
  server.serve(jwksOf(k1));
  const jwks = server.cache();
  await validateIdToken(await sign(k1, idClaims()), ctx(jwks));
  server.serve(jwksOf(k2));
  const stranger = await makeKey('k3');
  const token = await sign(stranger, idClaims());
  await assert.rejects(validateIdToken(token, ctx(jwks)), refusedWith('ID_TOKEN_KEY_NOT_FOUND', token));
  assert.equal(jwks.fetchCount, 2);
});

for (const [name, claims, code, message] of [
  ['wrong aud', { aud: 'another-client' }, 'ID_TOKEN_INVALID', /for another client; check the client id in the profile/],
  ['wrong iss', { iss: 'https://evil.example' }, 'ID_TOKEN_INVALID', /another issuer; check the issuer in the profile/],
  ['wrong nonce', { nonce: 'replayed-nonce' }, 'ID_TOKEN_INVALID', /\(nonce: differs/],
  ['expired', { exp: NOW_S - 3600, iat: NOW_S - 7200 }, 'ID_TOKEN_INVALID', /\(exp: expired 2026-11-23T09:00:00Z, 60 min ago/],
  ['iat far in the future', { iat: NOW_S + 86_400, exp: NOW_S + 90_000 }, 'ID_TOKEN_INVALID', /\(iat: issued .* in the future/],
  ['nbf in the future', { nbf: NOW_S + 600 }, 'ID_TOKEN_INVALID', /\(nbf: not valid before/],
  ['wrong at_hash', { at_hash: atHash('some-other-access-token') }, 'ID_TOKEN_INVALID', /\(at_hash: does not match/],
  ['several audiences without azp', { aud: [CLIENT_ID, 'api'] }, 'ID_TOKEN_INVALID', /\(azp: /],
  ['several audiences with a foreign azp', { aud: [CLIENT_ID, 'api'], azp: 'api' }, 'ID_TOKEN_INVALID', /\(azp: /],
] as const) {
  test(`${name} -> ${code}`, async () => {
    server.serve(jwksOf(k1));
    const token = await sign(k1, idClaims(claims));
    await assert.rejects(validateIdToken(token, ctx(server.cache())), refusedWith(code, token, message));
  });
}

test('several audiences with azp = client id are accepted', async () => {
  server.serve(jwksOf(k1));
  const token = await sign(k1, idClaims({ aud: [CLIENT_ID, 'api'], azp: CLIENT_ID }));
  const result = await validateIdToken(token, ctx(server.cache()));
  assert.deepEqual(result.claims.aud, [CLIENT_ID, 'api']);
});

test('an opaque or encrypted ID token -> JWT_MALFORMED', async () => {
  const jwks = server.cache();
  await assert.rejects(validateIdToken('2YotnFZFEjr1zCsicMWpAA', ctx(jwks)), refusedWith('JWT_MALFORMED', '2YotnFZFEjr1zCsicMWpAA', /not a signed JWT/));
  const jwe = 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn';
  await assert.rejects(validateIdToken(jwe, ctx(jwks)), refusedWith('JWT_MALFORMED', jwe, /encrypted/));
  await assert.rejects(validateIdToken(undefined as unknown as string, ctx(jwks)), refusedWith('JWT_MALFORMED', 'x'));
  assert.equal(jwks.fetchCount, 0);
});

test('a JWKS that cannot be fetched surfaces its own code', async () => {
  server.serve('<html>maintenance</html>', 200, 'text/html');
  const token = await sign(k1, idClaims());
  await assert.rejects(validateIdToken(token, ctx(server.cache())), refusedWith('DISCOVERY_FAILED', token));
});

const original: IdTokenClaims = { iss: ISSUER, sub: 'alice', aud: [CLIENT_ID, 'api'], azp: CLIENT_ID, exp: NOW_S + 300, iat: NOW_S - 10, auth_time: NOW_S - 60 };

test('checkRefreshedIdToken accepts the same identity (aud order aside, new iat/exp)', () => {
  checkRefreshedIdToken(original, { ...original, aud: ['api', CLIENT_ID], iat: NOW_S + 600, exp: NOW_S + 900 });
  // No auth_time before: a new one is not a change.
  const { auth_time: _drop, ...withoutAuthTime } = original;
  checkRefreshedIdToken(withoutAuthTime, { ...withoutAuthTime, auth_time: NOW_S });
});

for (const [name, next, claim] of [
  ['another iss', { ...original, iss: 'https://other.example' }, 'iss'],
  ['another sub', { ...original, sub: 'mallory' }, 'sub'],
  ['an aud added', { ...original, aud: [CLIENT_ID, 'api', 'more'] }, 'aud'],
  ['aud narrowed', { ...original, aud: CLIENT_ID }, 'aud'],
  ['auth_time changed', { ...original, auth_time: NOW_S }, 'auth_time'],
  ['auth_time dropped', { ...original, auth_time: undefined }, 'auth_time'],
  ['azp changed', { ...original, azp: 'api' }, 'azp'],
] as const) {
  test(`checkRefreshedIdToken: ${name} -> ID_TOKEN_CLAIMS_CHANGED`, () => {
    assert.throws(() => checkRefreshedIdToken(original, next), (error: unknown) => {
      assert.ok(isDeskError(error, 'ID_TOKEN_CLAIMS_CHANGED'));
      assert.match(error.message, new RegExp(`changed ${claim}`));
      return true;
    });
  });
}

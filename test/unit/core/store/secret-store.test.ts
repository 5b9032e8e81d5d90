/** Unit: the entry format of the secret store (serialization, size cap, corrupt detection, session ids). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeskError } from '../../../../src-main/core/errors.ts';
import type { StoredSecret } from '../../../../src-main/core/store/secret-store.ts';
import {
  MAX_ENTRY_BYTES,
  assertSessionId,
  parseSecret,
  serializeSecret,
} from '../../../../src-main/core/store/secret-store.ts';

const base: StoredSecret = { v: 1, refreshToken: 'rt', issuer: 'https://op.example', clientId: 'desk', createdAt: 1_700_000_000_000 };

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isDeskError(err), String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/** A secret whose serialized form is exactly `bytes` long, padded with `pad` (1 byte each or multi-byte). */
function ofSize(bytes: number, pad = 'a'): StoredSecret {
  const overhead = Buffer.byteLength(serializeSecret({ ...base, refreshToken: 'x' }), 'utf8') - 1;
  const padBytes = Buffer.byteLength(pad, 'utf8');
  const n = Math.floor((bytes - overhead) / padBytes);
  const rest = bytes - overhead - n * padBytes;
  return { ...base, refreshToken: pad.repeat(n) + 'b'.repeat(rest) };
}

test('serialize then parse round-trips', () => {
  const json = serializeSecret(base);
  assert.deepEqual(JSON.parse(json), base);
  assert.deepEqual(parseSecret(json), { kind: 'ok', secret: base });
});

test('serialize keeps only the known fields', () => {
  const extra = { ...base, accessToken: 'at-must-not-be-stored', idToken: 'x' } as StoredSecret;
  const json = serializeSecret(extra);
  assert.ok(!json.includes('at-must-not-be-stored'));
  assert.deepEqual(JSON.parse(json), base);
});

test('the size cap is 2560 bytes of the serialized entry, counted in UTF-8 bytes', () => {
  assert.equal(MAX_ENTRY_BYTES, 2560);
  assert.equal(Buffer.byteLength(serializeSecret(ofSize(2560)), 'utf8'), 2560);
  throwsCode(() => serializeSecret(ofSize(2561)), 'KEYCHAIN_ENTRY_TOO_LARGE');
  // 1000 three-byte characters: 1000 UTF-16 units but over 3000 bytes.
  throwsCode(() => serializeSecret({ ...base, refreshToken: '€'.repeat(1000) }), 'KEYCHAIN_ENTRY_TOO_LARGE');
});

test('the size error does not carry the token', () => {
  try {
    serializeSecret({ ...base, refreshToken: 'rt-SECRET-'.repeat(300) });
    assert.fail('expected a throw');
  } catch (err) {
    assert.ok(isDeskError(err, 'KEYCHAIN_ENTRY_TOO_LARGE'));
    assert.ok(!err.message.includes('rt-SECRET'));
  }
});

test('a malformed entry is refused before serialization (INTERNAL)', () => {
  for (const bad of [
    { ...base, refreshToken: '' },
    { ...base, issuer: 42 },
    { ...base, clientId: undefined },
    { ...base, createdAt: -1 },
    { ...base, createdAt: 1.5 },
    { ...base, v: 2 },
  ]) {
    throwsCode(() => serializeSecret(bad as unknown as StoredSecret), 'INTERNAL');
  }
});

test('parse reports anything that is not a v1 entry as corrupt', () => {
  for (const raw of [
    '',
    'not json',
    '{"v":1',
    'null',
    '"rt"',
    '[]',
    '42',
    JSON.stringify({ ...base, refreshToken: 7 }),
    JSON.stringify({ v: 1, refreshToken: 'rt' }),
    JSON.stringify({ ...base, v: '1' }),
    JSON.stringify({ ...base, v: 0 }),
  ]) {
    assert.deepEqual(parseSecret(raw), { kind: 'corrupt' }, raw);
  }
});

test('parse recognizes an entry written by a newer version', () => {
  assert.deepEqual(parseSecret(JSON.stringify({ v: 2, anything: true })), { kind: 'newer', version: 2 });
});

test('parse drops unknown fields of a v1 entry', () => {
  assert.deepEqual(parseSecret(JSON.stringify({ ...base, extra: 'x' })), { kind: 'ok', secret: base });
});

test('session ids: safe keychain account names only', () => {
  for (const ok of ['s1', '3f2a9c4e-0b1d-4c8e-9f00-123456789abc', 'AbC_-x.y:z', 'a'.repeat(128)]) assertSessionId(ok);
  for (const bad of ['', '.oidc-desk-probe', 'a'.repeat(129), 'a/b', 'a b', 'é', 'a\n', 42, null, undefined]) {
    throwsCode(() => assertSessionId(bad), 'USAGE');
  }
});

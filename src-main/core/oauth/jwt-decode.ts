/**
 * The one place that takes a compact JWT apart: split, base64url-decode, parse header and claims as
 * JSON objects. Decoding proves nothing: a decoded token is untrusted until its report says valid.
 * Node's own base64url decoder (the segments are checked to be base64url first): no jose at start-up.
 * @module
 */
import { isRecord } from '../util.ts';

/** A compact JWS taken apart (RFC 7515 §7.1), unverified. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

/** What a token string is: a compact JWS with JSON header and claims, a compact JWE (5 parts), or anything else. */
export type TokenFormat = 'jwt' | 'jwe' | 'opaque';

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_SEGMENT = /^[A-Za-z0-9_-]*$/;
// One decoder for every segment: making one costs more than decoding a token, and decode() keeps no state between calls.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  if (!SEGMENT.test(segment)) return undefined;
  try {
    const parsed: unknown = JSON.parse(UTF8.decode(Buffer.from(segment, 'base64url')));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The header and claims of a compact JWS: exactly three base64url parts (the signature may be empty),
 * header and payload UTF-8 JSON objects. Undefined for anything else (an opaque token, a JWE, a
 * nested or malformed token). Nothing is verified.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-7.1
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  if (!SIGNATURE_SEGMENT.test(signaturePart)) return undefined;
  const header = decodeJsonObject(headerPart);
  const claims = header === undefined ? undefined : decodeJsonObject(payloadPart);
  return header === undefined || claims === undefined ? undefined : { header, claims };
}

/**
 * What a value is as a token: `jwt` when {@link decodeJwt} decodes it, `jwe` for five base64url parts
 * (RFC 7516 §7.1, never decrypted here), `opaque` for anything else, a non-string included.
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-7.1
 */
export function tokenFormat(token: unknown): TokenFormat {
  if (typeof token !== 'string') return 'opaque';
  const parts = token.split('.');
  if (parts.length === 5 && parts.every((p) => SIGNATURE_SEGMENT.test(p))) return 'jwe';
  return decodeJwt(token) === undefined ? 'opaque' : 'jwt';
}

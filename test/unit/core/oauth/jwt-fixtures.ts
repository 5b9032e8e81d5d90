/**
 * Test fixtures for JWT work: a JWKS served by a real local HTTP server, keys generated with jose, and
 * ID tokens signed with them. Not a test file itself.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { createHttpClient } from '../../../../src-main/core/http/client.ts';
import { JwksCache } from '../../../../src-main/core/oauth/jwks.ts';

export const ISSUER = 'https://idp.example.test';
export const CLIENT_ID = 'desk-client';
/** The frozen "now" of every test: 2026-11-23T10:00:00Z. */
export const NOW_MS = Date.UTC(2026, 10, 23, 10, 0, 0);
export const NOW_S = NOW_MS / 1000;
export const NONCE = 'n-0S6_WzA2Mj-SECRET-NONCE';
export const ACCESS_TOKEN = 'AT-SECRET-access-token-value-123';

/** A signing key and the public JWK a provider would publish for it. */
export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

export function jwksOf(...keys: TestKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.jwk) };
}

/** Standard valid ID token claims at NOW; `extra` may override with anything (undefined drops a claim). */
export function idClaims(extra: Readonly<Record<string, unknown>> = {}): JWTPayload {
  return { iss: ISSUER, sub: 'alice', aud: CLIENT_ID, iat: NOW_S - 10, exp: NOW_S + 300, nonce: NONCE, ...extra } as JWTPayload;
}

/** Signs `claims` (used as they are: no defaults added) with `key`; `header` overrides header fields. */
export async function sign(key: TestKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

/** at_hash of the access token for a SHA-2 size. */
export function atHash(accessToken: string, bits: 256 | 384 | 512 = 256): string {
  const digest = createHash(`sha${bits}`).update(accessToken, 'ascii').digest();
  return base64url.encode(digest.subarray(0, digest.length / 2));
}

/** An unsigned (alg none) JWT. */
export function unsignedToken(claims: JWTPayload): string {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}

type Responder = (req: IncomingMessage, res: ServerResponse) => void;

/** A JWKS endpoint on 127.0.0.1:0 whose answer the test can change. */
export class JwksServer {
  hits = 0;
  #server: Server | undefined;
  #respond: Responder = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"keys":[]}');
  };
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.hits += 1;
      this.#respond(req, res);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks`;
    return this;
  }

  /** Serves this JSON (or raw text) with status 200 (or `status`). */
  serve(body: unknown, status = 200, contentType = 'application/json'): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    this.#respond = (_req, res) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(text);
    };
  }

  respondWith(responder: Responder): void {
    this.#respond = responder;
  }

  /** A cache for this server, fetching through the core's HTTP client. */
  cache(): JwksCache {
    return new JwksCache({ jwksUri: this.url, fetch: createHttpClient({ timeoutMs: 5000 }) });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

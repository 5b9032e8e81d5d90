/**
 * The core's HTTP transport: one request over node:http or node:https, its whole body read into memory
 * up to a cap. The core fetch (client.ts) sends through it rather than through the platform's fetch, whose
 * Request and Response objects, web streams and abort plumbing cost more CPU per exchange than the core
 * fetch's masking and logging on top of this transport (`npm run bench -- http-transport`). Nothing here
 * follows a redirect or keeps a cookie; a body in a content coding Node can decode (gzip, deflate, br) is
 * decoded, within the same cap.
 * @module
 */
import type { IncomingMessage, request as httpRequest } from 'node:http';
import type * as Zlib from 'node:zlib';
import { DeskError } from '../errors.ts';

// node:http, node:https (with TLS) and node:zlib load with the first request that needs them: a command
// that sends nothing (the CLI listing sessions) never loads them. Each is imported once: an import() per
// request would go through the module loader every time.
let http: Promise<typeof httpRequest> | undefined;
let https: Promise<typeof httpRequest> | undefined;
let zlibModule: Promise<typeof Zlib> | undefined;
const opener = {
  'http:': (): Promise<typeof httpRequest> => (http ??= import('node:http').then((m) => m.request)),
  'https:': (): Promise<typeof httpRequest> => (https ??= import('node:https').then((m) => m.request)),
} as const;

/** A request as the transport sends it. */
export interface TransportRequest {
  readonly method: string;
  readonly headers: Headers;
  /** The body's bytes, or undefined for none. */
  readonly body: Uint8Array | undefined;
  /** Ends the request; the call then rejects with the signal's reason. */
  readonly signal: AbortSignal;
}

/** A complete answer: status, headers and the body's bytes (decoded when they came in a content coding). */
export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** The error for a response body over `cap` bytes, declared, received or decoded. */
export function bodyTooLarge(cap: number): DeskError {
  return new DeskError('HTTP_BODY_TOO_LARGE', `The server sent a response larger than ${cap} bytes; it was refused.`);
}

/**
 * The bytes of a request body the transport sends itself: none, text, a form or bytes. Undefined for any
 * other kind (a stream, a multipart form, a blob), which the core fetch leaves to the platform's fetch.
 */
export function transportBody(body: BodyInit | null | undefined): { readonly bytes: Uint8Array | undefined } | undefined {
  if (body === undefined || body === null) return { bytes: undefined };
  if (typeof body === 'string' || body instanceof URLSearchParams) return { bytes: Buffer.from(body.toString(), 'utf8') };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body) };
  if (ArrayBuffer.isView(body)) return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  return undefined;
}

/** The response's headers as received, repeated ones (set-cookie) included. */
function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** Chunks of a body in one new buffer (never a view of Node's shared pool). */
export function joined(chunks: readonly Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The body with its content codings undone (last applied first), never growing past `cap`. */
async function decoded(bytes: Uint8Array<ArrayBuffer>, contentEncoding: string | null, cap: number): Promise<Uint8Array<ArrayBuffer>> {
  if (contentEncoding === null) return bytes;
  const codings = contentEncoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return bytes;
  const zlib = await (zlibModule ??= import('node:zlib'));
  let out = bytes;
  for (const coding of codings.reverse()) {
    const decode = coding === 'gzip' || coding === 'x-gzip' ? zlib.gunzipSync : coding === 'deflate' ? zlib.inflateSync : coding === 'br' ? zlib.brotliDecompressSync : undefined;
    // A coding Node cannot undo is left as it came (the platform's fetch does the same).
    if (decode === undefined) return out;
    try {
      const plain = decode(out, { maxOutputLength: cap });
      out = joined([plain], plain.byteLength);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw bodyTooLarge(cap);
      throw new DeskError('HTTP_NETWORK', `The server's response body could not be decoded (${coding}).`, { cause: error });
    }
  }
  return out;
}

/**
 * Sends `request` to `url` (http or https; certificates checked as Node checks them) and resolves with the
 * whole answer. Rejects with {@link bodyTooLarge} past `cap` (declared, received or decoded), with the
 * signal's reason when it aborts, and with Node's error when the connection fails.
 */
export async function send(url: URL, request: TransportRequest, cap: number): Promise<TransportResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${url.protocol} is not an HTTP URL scheme`);
  const open = await opener[url.protocol]();
  const { signal } = request;
  if (signal.aborted) throw signal.reason as Error;
  const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'oidc-desk' };
  for (const [name, value] of request.headers) headers[name] = value;
  if (request.body !== undefined) headers['content-length'] = String(request.body.byteLength);
  const raw = await new Promise<TransportResponse>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!settle()) return;
      req.destroy();
      reject(error as Error);
    };
    const onAbort = (): void => fail(signal.reason);
    const req = open(url, { method: request.method, headers }, (res) => {
      const declared = Number(res.headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(declared) && declared > cap) {
        fail(bodyTooLarge(cap));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total > cap) fail(bodyTooLarge(cap));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('The connection closed before the response ended.'));
      });
      res.on('end', () => {
        if (settled) return;
        let headers: Headers;
        try {
          headers = headersOf(res);
        } catch (error) {
          fail(error);
          return;
        }
        if (settle()) resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers, bytes: joined(chunks, total) });
      });
    });
    req.on('error', fail);
    signal.addEventListener('abort', onAbort, { once: true });
    req.end(request.body);
  });
  return { ...raw, bytes: await decoded(raw.bytes, raw.headers.get('content-encoding'), cap) };
}

/**
 * The one HTTP client of the core: a timeout on every request, a body size cap, no redirects followed,
 * and every exchange recorded in the exchange log with secrets masked.
 * @module
 */
import { DeskError } from '../errors.ts';
import type { ExchangeContext } from './exchange-context.ts';
import type { ExchangeLog } from './exchange-log.ts';
import { redactBody, redactHeaders, redactUrl } from './redact.ts';
import { bodyTooLarge, joined, send, transportBody, type TransportResponse } from './transport.ts';

/** The fetch signature the core uses everywhere (oauth4webapi's `customFetch`, JWKS, userinfo). */
export type FetchLike = (input: string | URL, init?: FetchInit) => Promise<Response>;

/** The request options the core uses (a subset of RequestInit that also accepts explicit undefined). */
export interface FetchInit {
  readonly method?: string | undefined;
  readonly headers?: HeadersInit | undefined;
  readonly body?: BodyInit | null | undefined;
  readonly signal?: AbortSignal | null | undefined;
  readonly redirect?: RequestRedirect | undefined;
  /**
   * The answer expected is a redirect, returned to the caller instead of refused (still never followed):
   * only for the authorization request a sign-in without a browser makes itself (Okta's session token).
   */
  readonly expectRedirect?: boolean | undefined;
  /** The session or sign-in the exchange is made for (see `fetchFor`): logged with it, never sent. */
  readonly context?: ExchangeContext | undefined;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /**
   * The underlying fetch. By default requests go through the core's transport (node:http and node:https,
   * see transport.ts), and only a body it does not send itself (a stream, a multipart form, a blob) through
   * the global fetch.
   */
  readonly fetch?: FetchLike;
  /** Per-request timeout covering headers and body (default 30 s). */
  readonly timeoutMs?: number;
  /** Largest response body accepted (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Where exchanges are recorded. */
  readonly log?: ExchangeLog;
  /** Clock (default Date.now). */
  readonly now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** Decodes response bodies for the log (decode() keeps no state between calls: one is enough). */
const UTF8 = new TextDecoder();

/**
 * A response whose body this client has read already (to cap and log it): its readers take the bytes
 * from memory, so no second stream is made and read for a body already in hand. The class is made on
 * the first response: `Response` is a global that loads Node's fetch implementation when first touched
 * (about 30 ms and 10 MB), which a process that sends no request (the CLI listing sessions) never needs.
 */
function defineReadResponse() {
  return class ReadResponse extends Response {
    readonly #bytes: Uint8Array<ArrayBuffer> | null;
    #used = false;
    #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null = null;

    constructor(bytes: Uint8Array<ArrayBuffer> | null, from: { readonly status: number; readonly statusText: string; readonly headers: Headers }) {
      super(null, { status: from.status, statusText: from.statusText, headers: from.headers });
      this.#bytes = bytes;
    }

    #take(): Uint8Array<ArrayBuffer> {
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
      this.#used = true;
      return this.#bytes ?? new Uint8Array(0);
    }

    override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
      if (this.#bytes === null) return null;
      // Only a reader that wants a stream gets one (the same one each time); it takes the body as any other read does.
      this.#stream ??= new Response(this.#take()).body;
      return this.#stream;
    }

    override get bodyUsed(): boolean {
      return this.#used;
    }

    override text(): Promise<string> {
      try {
        return Promise.resolve(UTF8.decode(this.#take()));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }

    override async json(): Promise<unknown> {
      return JSON.parse(await this.text()) as unknown;
    }

    override arrayBuffer(): Promise<ArrayBuffer> {
      try {
        return Promise.resolve(this.#take().slice().buffer);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }

    override bytes(): Promise<Uint8Array<ArrayBuffer>> {
      try {
        return Promise.resolve(this.#take().slice());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }

    override async blob(): Promise<Blob> {
      return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
    }

    override formData(): Promise<FormData> {
      try {
        return new Response(this.#take(), { headers: this.headers }).formData();
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }

    override clone(): Response {
      if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
      return new ReadResponse(this.#bytes, this);
    }
  };
}

let ReadResponse: ReturnType<typeof defineReadResponse> | undefined;

/** A {@link defineReadResponse} response over `bytes`, with the status and headers of `from`. */
function readResponse(bytes: Uint8Array<ArrayBuffer> | null, from: { readonly status: number; readonly statusText: string; readonly headers: Headers }): Response {
  ReadResponse ??= defineReadResponse();
  return new ReadResponse(bytes, from);
}

function bodyText(body: FetchInit['body']): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return '[binary body]';
}

/** Bytes of a request body as sent, when the client can tell without reading a stream. */
function bodyBytes(body: FetchInit['body']): number | undefined {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string' || body instanceof URLSearchParams) return Buffer.byteLength(body.toString());
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  return undefined;
}

async function readCapped(response: Response, cap: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel().catch(() => undefined);
    throw bodyTooLarge(cap);
  }
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(cap);
    }
    chunks.push(value);
  }
  return joined(chunks, total);
}

function failure(error: unknown, url: string, timeoutMs: number, timedOut: boolean, callerSignal: AbortSignal | null | undefined): DeskError {
  if (error instanceof DeskError) return error;
  // The caller's own signal (a sign-in's deadline or cancel) ended the request, not this client's timeout.
  if (!timedOut && callerSignal?.aborted === true) {
    const reason: unknown = callerSignal.reason;
    if (reason instanceof DeskError) return reason;
  }
  const name = error instanceof Error ? error.name : '';
  const origin = (() => {
    try {
      return new URL(url).origin;
    } catch {
      return 'the server';
    }
  })();
  if (name === 'TimeoutError') {
    const within = timedOut ? `within ${Math.round(timeoutMs / 1000)} s` : 'before the deadline of the operation';
    return new DeskError('HTTP_TIMEOUT', `${origin} did not answer ${within}.`, { cause: error });
  }
  if (name === 'AbortError') return new DeskError('HTTP_NETWORK', `The request to ${origin} was cancelled.`, { cause: error });
  const detail = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new DeskError('HTTP_NETWORK', `Could not reach ${origin}: ${detail}.`, { cause: error });
}

/**
 * Creates the core's fetch. The returned function never follows a redirect (a 3xx is an error on a
 * back channel, RFC 9700 §4.11), aborts at the timeout, refuses bodies over the cap, and logs.
 */
export function createHttpClient(options: HttpClientOptions = {}): FetchLike {
  const injected = options.fetch;
  const baseFetch: FetchLike = injected ?? ((input, init) => fetch(input, init as RequestInit));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;

  return async function deskFetch(input, init = {}) {
    const url = input.toString();
    const method = (init.method ?? 'GET').toUpperCase();
    const requestHeaders = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    const startedAt = now();
    // One controller and one timer, cleared once the body is in: AbortSignal.timeout's timer would stay
    // armed (with its weak reference and finalizer) for the whole timeout after every request.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`The request timed out after ${timeoutMs} ms.`, 'TimeoutError'));
    }, timeoutMs);
    timer.unref();
    const callerSignal = init.signal ?? undefined;
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted === true) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = controller.signal;
    const context = init.context;
    // The transport sends what it can (every request of the core); the platform's fetch anything else.
    const direct = injected === undefined ? transportBody(init.body) : undefined;
    // The bytes the transport encoded are the ones counted: the body is not encoded a second time for the log.
    const requestBytes = direct === undefined ? bodyBytes(init.body) : direct.bytes?.byteLength ?? 0;
    let received: Promise<TransportResponse>;
    try {
      received = direct !== undefined
        ? send(new URL(url), { method, headers: requestHeaders, body: direct.bytes, signal }, cap)
        : baseFetch(url, { method, headers: requestHeaders, body: init.body ?? null, redirect: 'manual', signal })
          .then(async (r) => ({ status: r.status, statusText: r.statusText, headers: r.headers, bytes: await readCapped(r, cap) }));
    } catch (error) {
      received = Promise.reject(error as Error);
    }
    received.catch(() => undefined);
    // The request's masked record is made while the request is on its way (the same work, off the wait).
    const logged = {
      startedAt,
      method,
      url: redactUrl(url),
      requestHeaders: redactHeaders(requestHeaders),
      requestBody: redactBody(bodyText(init.body), requestHeaders.get('content-type')),
      ...(requestBytes === undefined ? {} : { requestBytes }),
      ...(context === undefined ? {} : { context }),
    };
    let response: TransportResponse;
    try {
      response = await received;
    } catch (error) {
      const err = failure(error, url, timeoutMs, timedOut, callerSignal);
      options.log?.add({ ...logged, durationMs: now() - startedAt, errorCode: err.code });
      throw err;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
    const { bytes } = response;
    const contentType = response.headers.get('content-type');
    options.log?.add({
      ...logged,
      status: response.status,
      statusText: response.statusText,
      responseHeaders: redactHeaders(response.headers),
      responseBody: redactBody(UTF8.decode(bytes), contentType),
      responseBytes: bytes.byteLength,
      durationMs: now() - startedAt,
    });
    if (response.status >= 300 && response.status < 400 && init.expectRedirect !== true) {
      throw new DeskError('HTTP_REDIRECT', `${new URL(url).origin} answered with a redirect (${response.status}); back-channel requests never follow redirects.`, { status: response.status });
    }
    return readResponse(NULL_BODY_STATUSES.has(response.status) ? null : bytes, response);
  };
}

/**
 * The RFC 8252 §7.3 loopback receiver: one short-lived HTTP listener on 127.0.0.1 (or [::1]) that hands exactly one
 * authorization response to the callback router, answers with a static page, and closes.
 * @module
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DeskError } from '../errors.ts';

/** What the callback router made of the handed-over URL; only decides which static page is shown. */
export type LoopbackOutcome = { ok: true } | { ok: false; code: string };

/** Options of {@link startLoopbackReceiver}. */
export interface LoopbackReceiverOptions {
  /** The loopback address to bind (default `127.0.0.1`); never a name (RFC 8252 §8.3). */
  readonly host?: LoopbackHost;
  /** A fixed port (1-65535) for providers that compare it; absent or 0 = an ephemeral port. */
  readonly port?: number;
  /** The redirect path, exactly as registered (default `/callback`). */
  readonly path?: string;
  /** How long the receiver waits for the callback before it closes by itself. */
  readonly timeoutMs: number;
  /** Receives the full callback URL (`http://127.0.0.1:PORT/path?query`), once at most. */
  readonly onCallback: (url: string) => Promise<LoopbackOutcome>;
}

/** A listening loopback receiver. */
export interface LoopbackReceiver {
  /** `http://127.0.0.1:PORT/callback` (or `http://[::1]:PORT/path`): an IP literal, never `localhost` (RFC 8252 §8.3). */
  readonly redirectUri: string;
  readonly port: number;
  /** How the receiver ended: a callback was handled, the timeout passed, or `close()` was called. */
  readonly done: Promise<'callback' | 'timeout' | 'closed'>;
  /** Stops listening and drops every connection; safe to call more than once. */
  close(): Promise<void>;
}

/** The default address the receiver binds (RFC 8252 §7.3, §8.3): never 0.0.0.0, never `localhost`. */
export const LOOPBACK_HOST = '127.0.0.1';
/** The addresses the receiver may bind: the IPv4 and IPv6 loopback literals, nothing else. */
export type LoopbackHost = '127.0.0.1' | '::1';
/** Default redirect path. */
export const DEFAULT_LOOPBACK_PATH = '/callback';
/** Longest request target accepted (SECURITY.md: callbacks over 8 KiB are refused unread). */
export const MAX_LOOPBACK_URL_BYTES = 8 * 1024;

const PAGE_OK = 'Signed in. You can close this tab and return to OIDC Desk.';
const PAGE_FAILED = 'Sign-in did not complete. Return to OIDC Desk to see why.';
const PAGE_ALREADY = 'This sign-in response was already received. Return to OIDC Desk.';

function page(text: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OIDC Desk</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:4rem auto;max-width:32rem;padding:0 1rem;color:#222}</style>
</head>
<body>
<p>${text}</p>
</body>
</html>
`;
}

/** Headers of every page the receiver sends: nothing loads, nothing is cached, nothing leaks by Referer. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
} as const;

/**
 * True for an origin-form path (RFC 9110 §4.2.1 without query) of URL characters, with well-formed
 * percent-encoding and no dot segments: the browser sends it back exactly as the provider was given it.
 */
export function isOriginFormPath(path: unknown): path is string {
  return typeof path === 'string' && path.length <= 256
    && /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(path)
    && !/%(?![0-9A-Fa-f]{2})/.test(path)
    && !path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

function isLoopbackHost(host: unknown): host is LoopbackHost {
  return host === '127.0.0.1' || host === '::1';
}

/** Why listening failed, in words that name the fixed port when there is one. */
function listenError(error: NodeJS.ErrnoException, hostLiteral: string, port: number): DeskError {
  if (port !== 0 && error.code === 'EADDRINUSE') {
    return new DeskError('LOOPBACK_LISTEN_FAILED', `Port ${port} on ${hostLiteral} is in use by another program, and this profile's redirect URI needs exactly that port. Stop the program that holds it, or change the profile's redirect (and its registration at the provider).`, { cause: error });
  }
  if (port !== 0 && error.code === 'EACCES') {
    return new DeskError('LOOPBACK_LISTEN_FAILED', `This user may not listen on port ${port} on ${hostLiteral}, which the profile's redirect URI needs. Choose a port above 1023 for the redirect.`, { cause: error });
  }
  return new DeskError('LOOPBACK_LISTEN_FAILED', `Could not listen on ${hostLiteral}${port === 0 ? '' : `:${port}`} for the sign-in callback.`, { cause: error });
}

function isOutcome(value: unknown): value is LoopbackOutcome {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

/**
 * Starts the loopback receiver on 127.0.0.1 (or [::1]), on an ephemeral port unless a fixed one is given.
 *
 * Only a GET on exactly `path` is handed to `onCallback`, and only the first one; other paths get 404,
 * other methods 405, request targets over 8 KiB 414, a Host other than the redirect URI's 421, all
 * without touching the flow. After the first callback is answered, or at the timeout, the listener
 * closes and every connection is dropped.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @throws DeskError `USAGE` for a bad host, port, path or timeout; `LOOPBACK_LISTEN_FAILED` when it
 * cannot listen (at once, naming the port, when a fixed port is taken).
 */
export async function startLoopbackReceiver(opts: LoopbackReceiverOptions): Promise<LoopbackReceiver> {
  const host: unknown = opts.host ?? LOOPBACK_HOST;
  if (!isLoopbackHost(host)) throw new DeskError('USAGE', 'The loopback receiver binds 127.0.0.1 or ::1 only.');
  const wantedPort: unknown = opts.port ?? 0;
  if (typeof wantedPort !== 'number' || !Number.isInteger(wantedPort) || wantedPort < 0 || wantedPort > 65535) {
    throw new DeskError('USAGE', 'The loopback port must be an integer from 1 to 65535 (or 0 for a free one).');
  }
  const hostLiteral = host === '::1' ? '[::1]' : host;
  const path: unknown = opts.path ?? DEFAULT_LOOPBACK_PATH;
  if (!isOriginFormPath(path)) throw new DeskError('USAGE', 'The loopback redirect path must be an absolute path without query or fragment.');
  if (typeof opts.timeoutMs !== 'number' || !Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) {
    throw new DeskError('USAGE', 'The loopback timeout must be a positive number of milliseconds.');
  }
  const onCallback = opts.onCallback;

  // The request line shares Node's header size limit; the 8 KiB cap below is checked per request.
  const server = createServer({ maxHeaderSize: 16 * 1024 });
  let port = 0;
  let consumed = false;
  let finished = false;
  // Armed once the port is known; shutdown() may run before that (listen failure).
  let timer: NodeJS.Timeout | undefined = undefined;
  let resolveDone!: (how: 'callback' | 'timeout' | 'closed') => void;
  const done = new Promise<'callback' | 'timeout' | 'closed'>((resolve) => {
    resolveDone = resolve;
  });
  let closing: Promise<void> | undefined;

  function shutdown(how: 'callback' | 'timeout' | 'closed'): Promise<void> {
    if (!finished) {
      finished = true;
      resolveDone(how);
    }
    if (timer !== undefined) clearTimeout(timer);
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Browsers keep sockets alive; without this, close() waits for them.
      server.closeAllConnections();
    });
    return closing;
  }

  function send(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): Promise<void> {
    return new Promise((resolve) => {
      if (res.headersSent || res.destroyed) {
        resolve();
        return;
      }
      res.writeHead(status, { ...PAGE_HEADERS, ...extra, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body, () => resolve());
      res.once('close', () => resolve());
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '';
    if (Buffer.byteLength(target) > MAX_LOOPBACK_URL_BYTES) {
      await send(res, 414, page('The request was too large.'), { Connection: 'close' });
      return;
    }
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not reach the flow.
    if (req.headers.host !== `${hostLiteral}:${port}`) {
      await send(res, 421, page('Not found.'), { Connection: 'close' });
      return;
    }
    const queryAt = target.indexOf('?');
    const targetPath = queryAt === -1 ? target : target.slice(0, queryAt);
    if (targetPath !== path) {
      await send(res, 404, page('Not found.'));
      return;
    }
    if (req.method !== 'GET') {
      await send(res, 405, page('Method not allowed.'), { Allow: 'GET' });
      return;
    }
    if (consumed || finished) {
      await send(res, 410, page(PAGE_ALREADY), { Connection: 'close' });
      return;
    }
    consumed = true;
    if (timer !== undefined) clearTimeout(timer);
    let ok = false;
    try {
      const outcome: unknown = await onCallback(`http://${hostLiteral}:${port}${target}`);
      ok = isOutcome(outcome) && outcome.ok;
    } catch {
      ok = false;
    }
    await send(res, 200, page(ok ? PAGE_OK : PAGE_FAILED), { Connection: 'close' });
    await shutdown('callback');
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(listenError(error, hostLiteral, wantedPort));
    };
    server.once('error', onError);
    server.listen({ host, port: wantedPort, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', () => {
    void shutdown('closed');
  });

  const address = server.address();
  if (address === null || typeof address === 'string' || address.address !== host || (wantedPort !== 0 && address.port !== wantedPort)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new DeskError('LOOPBACK_LISTEN_FAILED', `The loopback listener is not bound to ${hostLiteral}${wantedPort === 0 ? '' : `:${wantedPort}`}.`);
  }
  port = address.port;
  timer = setTimeout(() => {
    if (!consumed) void shutdown('timeout');
  }, opts.timeoutMs);

  return {
    redirectUri: `http://${hostLiteral}:${port}${path}`,
    port,
    done,
    close: () => shutdown('closed'),
  };
}

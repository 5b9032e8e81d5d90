/**
 * The browser-mode server (`oidc-desk ui`): `DeskApi` over HTTP and server-sent events, and the
 * production renderer, for a browser on this machine (or at the end of an SSH port forward). Listens on
 * 127.0.0.1 only; every request passes the Host check, the connection token or its session cookie, and
 * for the API and the event stream the same-origin check. Composed by its host with an open desk.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { DeskApi } from '../core/contract.ts';
import { DeskError } from '../core/errors.ts';
import { serveOperation, isOperation } from './api-routes.ts';
import { ConnectionAuth, cookieName, cookieValues, sessionCookie } from './connection-auth.ts';
import { EventStreams } from './event-stream.ts';
import { fromOwnPage, ownHost } from './request-checks.ts';
import { applySecurityHeaders, refuse } from './security-headers.ts';
import { DEFAULT_CLIENT_SCRIPT, DEFAULT_RENDERER_DIR, serveFile } from './static-files.ts';

/** What {@link startWebServer} needs. */
export interface WebServerOptions {
  /** The API of an open desk; the host opens it (and starts its scheduler) and closes it after the server. */
  readonly api: DeskApi;
  /** The port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** The production renderer; default `dist/renderer/`. */
  readonly rendererDir?: string;
  /** The built client script; default `dist/web/oidc-desk-client.js`. */
  readonly clientScript?: string;
  readonly now?: () => number;
  /** Called once, when a browser first presents the connection token (the host can remove its redirect file). */
  readonly onConnected?: () => void;
  /** Interval of the event stream's heartbeat comment. */
  readonly heartbeatMs?: number;
  /** How long a connection may take to send a request's headers, and how often that is checked (node:http's `headersTimeout` and `connectionsCheckingInterval`). */
  readonly headersTimeoutMs?: number;
  readonly timeoutCheckMs?: number;
}

/**
 * What a connection that sent something unusable is answered, as node:http itself would: 408 when it
 * sent no request in time, which a browser takes on a connection it kept open (or opened ahead) as a
 * sign to send its request again on a new one; a 400 there would reach the page as the request's answer.
 */
export function clientErrorStatus(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}

/** A running browser-mode server. */
export interface WebServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, without the token: safe to print. */
  readonly origin: string;
  /** The URL with the connection token, to open once: never in a process's arguments, never logged. */
  readonly connectUrl: string;
  /** Wrong connection tokens presented so far. */
  readonly tokenFailures: number;
  /** Ends the event streams, drops every connection and stops listening. */
  close(): Promise<void>;
}

/** The answer to a good token: the session cookie, and a same-origin step to `/` that leaves the token out of the address bar. */
function connected(res: ServerResponse, port: number, session: string): void {
  // A page that moves on by itself rather than a 303: after a redirect chain that began on another site
  // (the file: redirect page the system browser opened), a SameSite=Strict cookie would not be sent to `/`.
  // The meta refresh is this page's own navigation, same-origin, and replaces its history entry.
  const body = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=/">
<title>OIDC Desk</title>
</head>
<body><p>Connected. <a href="/">Continue to OIDC Desk</a>.</p></body>
</html>
`;
  res.writeHead(200, {
    'Set-Cookie': sessionCookie(port, session),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

const ALLOW_GET = { Allow: 'GET' };
const ALLOW_POST = { Allow: 'POST' };

/**
 * Starts the server on 127.0.0.1 with a fresh connection token.
 * @throws DeskError `LOOPBACK_LISTEN_FAILED` when the port is taken or cannot be bound.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { api } = options;
  const auth = new ConnectionAuth(options.now);
  const events = new EventStreams(api, options.heartbeatMs);
  const dirs = { rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR, clientScript: options.clientScript ?? DEFAULT_CLIENT_SCRIPT };
  let port = options.port ?? 0;
  let announced = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    applySecurityHeaders(res);
    const host = ownHost(req, port);
    if (host === undefined) {
      refuse(res, 421, `This is OIDC Desk on port ${port}: open it as http://127.0.0.1:${port}/ (other host names are refused).`);
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    const token = url.searchParams.get('token');
    if (url.pathname === '/' && token !== null && req.method === 'GET') {
      const outcome = auth.exchange(token);
      if (outcome.kind === 'locked') {
        refuse(res, 429, `Too many wrong connection tokens: try again in ${outcome.retryAfterSeconds} s.`, { 'Retry-After': String(outcome.retryAfterSeconds) });
      } else if (outcome.kind === 'refused') {
        refuse(res, 401, 'This connection token is not the one of this OIDC Desk start. Open the URL that "oidc-desk ui" printed or opened.');
      } else {
        connected(res, port, outcome.session);
        if (!announced) {
          announced = true;
          options.onConnected?.();
        }
      }
      return;
    }
    if (!auth.isSession(cookieValues(req.headers.cookie, cookieName(port)))) {
      refuse(res, 401, 'Not connected: open the URL that "oidc-desk ui" printed or opened (it carries the connection token of this start).');
      return;
    }
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return refuse(res, 405, 'The event stream takes GET.', ALLOW_GET);
      if (!fromOwnPage(req, host, 'event-stream')) return refuse(res, 403, 'The event stream is for pages of this origin only.');
      events.open(req, res);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const operation = url.pathname.slice('/api/'.length);
      if (!isOperation(operation)) return refuse(res, 404, 'No such operation.');
      if (req.method !== 'POST') return refuse(res, 405, 'API operations take POST.', ALLOW_POST);
      if (!fromOwnPage(req, host, 'post')) return refuse(res, 403, 'The API is for pages of this origin only.');
      await serveOperation(req, res, api, operation);
      return;
    }
    if (req.method !== 'GET') return refuse(res, 405, 'Files take GET.', ALLOW_GET);
    await serveFile(res, url.pathname, dirs);
  };

  const server = createServer({ requestTimeout: 30_000, headersTimeout: options.headersTimeoutMs ?? 10_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: options.timeoutCheckMs ?? 30_000 }, (req, res) => {
    handle(req, res).catch(() => refuse(res, 500, 'Unexpected failure in browser mode.'));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(error.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      events.close();
      const why = error.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is taken by another program` : `127.0.0.1:${port} cannot be bound (${error.code ?? 'error'})`;
      reject(new DeskError('LOOPBACK_LISTEN_FAILED', `Browser mode cannot listen: ${why}. Choose another port, or leave the port out to take a free one.`, { cause: error }));
    });
    // Loopback only, never 0.0.0.0: the page is for this machine (and an SSH forward to it).
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new DeskError('LOOPBACK_LISTEN_FAILED', 'Browser mode did not get a port.');
  port = address.port;
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    port,
    origin,
    connectUrl: `${origin}/?token=${auth.token}`,
    get tokenFailures() {
      return auth.failures;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        events.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

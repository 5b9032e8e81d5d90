/**
 * The RFC 8252 §7.3 loopback receiver: one short-lived HTTP listener on 127.0.0.1 (or [::1]) that hands
 * exactly one authorization response (the one carrying the pending flow's state, in the query or, for the
 * implicit and hybrid flows, in a form post) to the callback router,
 * answers stray requests with 400 and counts them however many come, answers with static pages only, and
 * closes.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DeskError } from '../errors.ts';
import { limitConnections } from './loopback-connections.ts';
import { MAX_FORM_POST_BYTES, readFormPost } from './loopback-form-post.ts';
import { PAGE_ALREADY, PAGE_FAILED, PAGE_HEADERS, PAGE_OK, PAGE_STRAY, page } from './loopback-pages.ts';

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
  /**
   * The sign-in's deadline: when it aborts before the callback arrived, the receiver closes (`timeout`
   * when its reason is a TimeoutError, else `closed`). A callback already being handled is answered first.
   */
  readonly signal: AbortSignal;
  /**
   * True when a GET on the path carries the pending flow's `state` (exactly once, compared in constant
   * time): only then is it the callback. Anything else is a stray: 400, counted, and the wait goes on.
   * Must be cheap: it runs for every request on the path. A throw counts as false.
   */
  readonly isPendingCallback: (url: string) => boolean | Promise<boolean>;
  /** Receives the full callback URL (`http://127.0.0.1:PORT/path?query`), once at most. */
  readonly onCallback: (url: string) => Promise<LoopbackOutcome>;
  /**
   * Also takes the authorization response as a form post (OAuth 2.0 Form Post Response Mode, for the
   * implicit and hybrid flows): a POST on the path, `application/x-www-form-urlencoded`, at most
   * {@link MAX_FORM_POST_BYTES}. Only one whose body `isPendingCallback` accepts is handed on, under the
   * same rules as a GET (see {@link startLoopbackReceiver}); the GET predicate above still decides GETs.
   * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html
   */
  readonly formPost?: {
    /** True when the form's body carries the pending flow's `state` (exactly once, compared in constant time). A throw counts as false. */
    readonly isPendingCallback: (body: string) => boolean | Promise<boolean>;
    /** Receives the callback URL (`http://127.0.0.1:PORT/path`) and the form's body, once at most. */
    readonly onCallback: (url: string, body: string) => Promise<LoopbackOutcome>;
  } | undefined;
}

/** How a receiver ended: the callback was handled, the deadline passed, or `close()` or a cancel. Strays never end it. */
export type LoopbackEnd = 'callback' | 'timeout' | 'closed';

/** A listening loopback receiver. */
export interface LoopbackReceiver {
  /** `http://127.0.0.1:PORT/callback` (or `http://[::1]:PORT/path`): an IP literal, never `localhost` (RFC 8252 §8.3). */
  readonly redirectUri: string;
  readonly port: number;
  /** How the receiver ended. */
  readonly done: Promise<LoopbackEnd>;
  /** Requests on the callback path that were not the pending flow's callback (a number, nothing of their content). */
  readonly strayRequests: number;
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
/** Largest form post body read (413 beyond it, counted as a stray): the callback router's own limit. */
export { MAX_FORM_POST_BYTES };
/**
 * Strays answered with the explanatory page; every later one gets a bare 400 (no body). A browser sends
 * none or a few (an old sign-in tab reloaded) and shows the page; a program flooding the port gets the
 * least there is to send. Strays never end the sign-in: any local program could then end it at will,
 * and the state cannot be guessed anyway (256 random bits).
 */
export const LOOPBACK_STRAY_PAGES = 20;

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
 * Only a GET on exactly `path` that `isPendingCallback` accepts is handed to `onCallback`, and only the
 * first one; with `formPost`, a POST of a form carrying the pending state is handed to its `onCallback`
 * instead (a form too large gets 413, another content type 415). On the path, a request without the
 * pending state gets 400, another method 405, a repeat
 * while the callback is handled 410: each is counted in `strayRequests` and the wait goes on, however
 * many come (after {@link LOOPBACK_STRAY_PAGES} of them the answer has no body). Other paths get 404,
 * request targets over 8 KiB 414, a Host other than the redirect URI's 421 (not counted). None of these
 * touches the flow. A flood costs little: each connection carries one request and is closed after its
 * answer, and connections held open are dropped, oldest first ({@link limitConnections}). After the
 * callback is answered, or when the deadline signal aborts, the listener closes and every connection is
 * dropped.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @throws DeskError `USAGE` for a bad host, port, path or signal; `LOOPBACK_LISTEN_FAILED` when it
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
  if (!((opts.signal as unknown) instanceof AbortSignal)) throw new DeskError('USAGE', 'The loopback receiver needs the sign-in\'s deadline signal.');
  const signal = opts.signal;
  const { onCallback, isPendingCallback, formPost } = opts;

  // node:http (with net, stream, dns behind it) loads for a sign-in only, not for every command.
  const { createServer } = await import('node:http');
  // The request line shares Node's header size limit; the 8 KiB cap below is checked per request.
  // Short header/request timeouts: a connection that never finishes its request does not stay.
  const server = createServer({ maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 15_000 });
  limitConnections(server);
  let port = 0;
  let consumed = false;
  let finished = false;
  let strays = 0;
  let resolveDone!: (how: LoopbackEnd) => void;
  const done = new Promise<LoopbackEnd>((resolve) => {
    resolveDone = resolve;
  });
  let closing: Promise<void> | undefined;

  function shutdown(how: LoopbackEnd): Promise<void> {
    if (!finished) {
      finished = true;
      resolveDone(how);
    }
    signal.removeEventListener('abort', onAbort);
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Browsers keep sockets alive; without this, close() waits for them.
      server.closeAllConnections();
    });
    return closing;
  }

  /** The deadline ended the sign-in: stop waiting, unless the callback is being answered (it closes after). */
  function onAbort(): void {
    if (consumed) return;
    const reason: unknown = signal.reason;
    void shutdown(reason instanceof Error && reason.name === 'TimeoutError' ? 'timeout' : 'closed');
  }

  /** One answer, a static page or (`null`) none at all, and the connection ends with it (one request per connection). */
  function send(res: ServerResponse, status: number, body: string | null, extra: Record<string, string> = {}): Promise<void> {
    return new Promise((resolve) => {
      if (res.headersSent || res.destroyed) {
        resolve();
        return;
      }
      const length = { Connection: 'close', 'Content-Length': String(Buffer.byteLength(body ?? '')) };
      res.writeHead(status, body === null ? { ...extra, ...length } : { ...PAGE_HEADERS, ...extra, ...length });
      res.end(body ?? '', () => resolve());
      res.once('close', () => resolve());
    });
  }

  /** Answers a request on the path that is not the callback, counted; the wait goes on, however many come. */
  function stray(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): Promise<void> {
    strays += 1;
    return send(res, status, strays <= LOOPBACK_STRAY_PAGES ? page(text) : null, extra);
  }

  /** True only when the predicate says so; it sees the request target, never the body. */
  async function carriesPendingState(url: string): Promise<boolean> {
    try {
      return (await isPendingCallback(url)) === true;
    } catch {
      return false;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '';
    if (Buffer.byteLength(target) > MAX_LOOPBACK_URL_BYTES) {
      await send(res, 414, page('The request was too large.'));
      return;
    }
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not reach the flow.
    if (req.headers.host !== `${hostLiteral}:${port}`) {
      await send(res, 421, page('Not found.'));
      return;
    }
    const queryAt = target.indexOf('?');
    const targetPath = queryAt === -1 ? target : target.slice(0, queryAt);
    if (targetPath !== path) {
      await send(res, 404, page('Not found.'));
      return;
    }
    if (finished) {
      await send(res, 410, page(PAGE_ALREADY));
      return;
    }
    if (req.method === 'POST' && formPost !== undefined) {
      await handleFormPost(req, res, target, formPost);
      return;
    }
    if (req.method !== 'GET') {
      await stray(res, 405, 'Method not allowed.', { Allow: formPost === undefined ? 'GET' : 'GET, POST' });
      return;
    }
    const url = `http://${hostLiteral}:${port}${target}`;
    await answer(res, () => carriesPendingState(url), () => onCallback(url));
  }

  /**
   * The rest of a request on the path once it was read: a stray unless `pending` says it carries the
   * pending state; then the callback, once (a repeat is a stray too), its page, and the end of the receiver.
   */
  async function answer(res: ServerResponse, pending: () => Promise<boolean>, deliver: () => Promise<LoopbackOutcome>): Promise<void> {
    const carries = await pending();
    if (finished) {
      await send(res, 410, page(PAGE_ALREADY));
      return;
    }
    if (!carries) {
      await stray(res, 400, PAGE_STRAY);
      return;
    }
    if (consumed) {
      await stray(res, 410, PAGE_ALREADY);
      return;
    }
    consumed = true;
    let ok = false;
    try {
      const outcome: unknown = await deliver();
      ok = isOutcome(outcome) && outcome.ok;
    } catch {
      ok = false;
    }
    await send(res, 200, page(ok ? PAGE_OK : PAGE_FAILED));
    await shutdown('callback');
  }

  /**
   * A form post on the path: a stray (counted, the wait goes on) unless it is a form of at most
   * MAX_FORM_POST_BYTES without a query whose body carries the pending state; then, once, the callback.
   */
  async function handleFormPost(req: IncomingMessage, res: ServerResponse, target: string, form: NonNullable<LoopbackReceiverOptions['formPost']>): Promise<void> {
    const read = await readFormPost(req, target);
    if ('status' in read) {
      await stray(res, read.status, read.status === 413 ? 'The request was too large.' : PAGE_STRAY);
      return;
    }
    const { body } = read;
    if (finished) {
      await send(res, 410, page(PAGE_ALREADY));
      return;
    }
    const carriesState = async (): Promise<boolean> => {
      try {
        return (await form.isPendingCallback(body)) === true;
      } catch {
        return false;
      }
    };
    await answer(res, carriesState, () => form.onCallback(`http://${hostLiteral}:${port}${target}`, body));
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
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri: `http://${hostLiteral}:${port}${path}`,
    port,
    done,
    get strayRequests() {
      return strays;
    },
    close: () => shutdown('closed'),
  };
}

/**
 * The checks a browser-mode request passes before it reaches anything: the `Host` it names (DNS
 * rebinding), where it comes from (`Origin`, `Sec-Fetch-Site`: cross-site request forgery), and the
 * size and type of its body.
 * @module
 */
import type { IncomingMessage } from 'node:http';

/** Largest API request body read; anything larger is refused unread (413). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The `Host` the request names, when it is this server's: exactly `127.0.0.1:<port>` or
 * `localhost:<port>`. Anything else (a rebinding DNS name that resolved to 127.0.0.1, another port
 * behind a forward) is refused, so a page of another site never reaches the server through a name of its own.
 * @see https://github.com/jupyter-server/jupyter_server/blob/main/jupyter_server/base/handlers.py (check_host)
 */
export function ownHost(req: IncomingMessage, port: number): string | undefined {
  const host = req.headers.host?.toLowerCase();
  const names = ['127.0.0.1', 'localhost'];
  // Port 80 is the one a browser leaves out of Host and Origin.
  const own = names.map((n) => `${n}:${port}`).concat(port === 80 ? names : []);
  return host !== undefined && own.includes(host) ? host : undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/**
 * True when the request comes from a page of this server: for a POST, `Origin` is this origin (browsers
 * always send it on a POST); for the event stream (a GET, which a same-origin page sends without
 * `Origin`), `Origin` is this origin, or absent with `Sec-Fetch-Site: same-origin`. Any
 * `Sec-Fetch-Site` but `same-origin` is refused: `same-site` is another port of 127.0.0.1.
 * @see https://www.w3.org/TR/fetch-metadata/
 */
export function fromOwnPage(req: IncomingMessage, host: string, kind: 'post' | 'event-stream'): boolean {
  const origin = single(req.headers.origin);
  const site = single(req.headers['sec-fetch-site']);
  if (req.headers.origin !== undefined && origin !== `http://${host}`) return false;
  if (req.headers['sec-fetch-site'] !== undefined && site !== 'same-origin') return false;
  if (kind === 'post') return origin !== undefined;
  return origin !== undefined || site === 'same-origin';
}

/** True for `application/json`, with or without parameters: what a cross-site form can never send. */
export function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && type.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** A request body that was too large (413) or never arrived whole (400). */
export class BodyError extends Error {
  constructor(readonly status: 413 | 400) {
    super(status === 413 ? 'body too large' : 'body incomplete');
  }
}

/** Reads the body as UTF-8, refusing it unread when `Content-Length` says it is too large, and as soon as it grows too large. */
export async function readBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new BodyError(413);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > max) throw new BodyError(413);
      chunks.push(buffer);
    }
  } catch (error) {
    throw error instanceof BodyError ? error : new BodyError(400);
  }
  return Buffer.concat(chunks).toString('utf8');
}

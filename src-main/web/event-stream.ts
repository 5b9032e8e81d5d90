/**
 * The `DeskEvent` stream of browser mode as server-sent events: one subscription to the API, fanned
 * out to every page connected to `GET /api/events`, each event `id: <n>` + `data: <json>`, a comment line
 * as heartbeat, and the last events replayed to a page that reconnects with `Last-Event-ID`.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeskApi } from '../core/contract.ts';
import { refuse } from './security-headers.ts';

/** How often an idle stream carries a comment line, so proxies and browsers keep it open. */
export const HEARTBEAT_MS = 15_000;
/** Events kept for pages that reconnect. */
export const REPLAY_EVENTS = 256;
/** Pages connected at once. */
export const MAX_STREAMS = 32;
/** A page that reads this far behind is cut off (it reconnects and catches up from the replay). */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
/** What a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2000;

/** One event as it goes on the wire. */
interface Framed {
  readonly id: number;
  readonly text: string;
}

/** Every page's event stream, fed by one subscription to the API. */
export class EventStreams {
  readonly #streams = new Set<ServerResponse>();
  readonly #recent: Framed[] = [];
  readonly #unsubscribe: () => void;
  readonly #heartbeat: NodeJS.Timeout;
  #nextId = 1;

  constructor(api: DeskApi, heartbeatMs = HEARTBEAT_MS) {
    this.#unsubscribe = api.subscribe((event) => {
      // Views are plain data by contract; one line per event (JSON.stringify escapes newlines).
      const id = this.#nextId++;
      const framed = { id, text: `id: ${id}\ndata: ${JSON.stringify(event)}\n\n` };
      this.#recent.push(framed);
      if (this.#recent.length > REPLAY_EVENTS) this.#recent.shift();
      for (const stream of this.#streams) this.#send(stream, framed.text);
    });
    this.#heartbeat = setInterval(() => {
      for (const stream of this.#streams) this.#send(stream, ': keep-alive\n\n');
    }, heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Pages connected now. */
  get size(): number {
    return this.#streams.size;
  }

  #send(stream: ServerResponse, text: string): void {
    if (stream.writableLength > MAX_BACKLOG_BYTES) {
      stream.destroy();
      return;
    }
    stream.write(text);
  }

  /** Answers `GET /api/events` (already authenticated and checked): the stream, from after `Last-Event-ID` when it is still kept. */
  open(req: IncomingMessage, res: ServerResponse): void {
    if (this.#streams.size >= MAX_STREAMS) {
      refuse(res, 503, 'Too many pages are connected to this OIDC Desk; close some tabs.', { 'Retry-After': '10' });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const last = Number(req.headers['last-event-id']);
    if (Number.isSafeInteger(last) && last > 0) {
      for (const framed of this.#recent) if (framed.id > last) res.write(framed.text);
    }
    this.#streams.add(res);
    const drop = (): void => {
      this.#streams.delete(res);
    };
    res.once('close', drop);
    req.socket.setKeepAlive(true);
    req.socket.setTimeout(0);
  }

  /** Ends every stream and the subscription. */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
  }
}

/**
 * The exchange log: every back-channel HTTP exchange, secrets masked, attributed to its session or
 * sign-in, for the UI timeline, the CLI and the HAR export.
 * @module
 */
import type { ExchangeContext } from './exchange-context.ts';

/** One recorded exchange. Every value in it has been masked already. */
export interface Exchange {
  readonly id: number;
  readonly startedAt: number;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string;
  /** Size of the request body as sent, bytes (the logged body is the masked text). */
  readonly requestBytes?: number;
  readonly status?: number;
  readonly statusText?: string;
  readonly responseHeaders?: Readonly<Record<string, string>>;
  readonly responseBody?: string;
  /** Size of the response body as received, bytes. */
  readonly responseBytes?: number;
  readonly durationMs: number;
  /** Error code when the exchange failed before a usable response (timeout, network, size cap). */
  readonly errorCode?: string;
  /** The session or sign-in it was made for (see `fetchFor`); absent when made outside any. */
  readonly context?: ExchangeContext;
}

/** Which entries to list: those of a session, of a sign-in, or all. */
export interface ExchangeFilter {
  readonly sessionId?: string;
  readonly flowId?: string;
}

/** A masked secret's fingerprint makes a text unique: such texts are not worth a place in the pool. */
const FINGERPRINTED = '***masked-';

/**
 * Texts the log holds once however many entries carry them: a provider's metadata and JWKS, and the
 * header blocks of one endpoint, are the same in every exchange. Counted, so an entry that leaves the
 * log releases them.
 */
class TextPool {
  readonly #held = new Map<string, { readonly text: string; refs: number }>();

  /** The pooled instance of `text` (now counted once more); a fingerprinted text is returned as is. */
  take<T extends string | undefined>(text: T): T {
    if (text === undefined || text.includes(FINGERPRINTED)) return text;
    const held = this.#held.get(text);
    if (held !== undefined) {
      held.refs += 1;
      return held.text as T;
    }
    this.#held.set(text, { text, refs: 1 });
    return text;
  }

  release(text: string | undefined): void {
    if (text === undefined) return;
    const held = this.#held.get(text);
    if (held === undefined) return;
    held.refs -= 1;
    if (held.refs === 0) this.#held.delete(text);
  }

  /** Distinct texts held. */
  get size(): number {
    return this.#held.size;
  }

  clear(): void {
    this.#held.clear();
  }
}

/**
 * An exchange as the log keeps it: the header records as JSON text (pooled: an endpoint answers with
 * the same headers each time), the response's Date apart since it changes every second.
 */
interface Kept {
  readonly id: number;
  readonly startedAt: number;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: string;
  readonly requestBody: string;
  readonly requestBytes: number | undefined;
  readonly status: number | undefined;
  readonly statusText: string | undefined;
  readonly responseHeaders: string | undefined;
  readonly responseDate: string | undefined;
  readonly responseBody: string | undefined;
  readonly responseBytes: number | undefined;
  readonly durationMs: number;
  readonly errorCode: string | undefined;
  readonly context: ExchangeContext | undefined;
}

/** A kept exchange as it was added: the headers as records again, the fields it did not have left out. */
function shown({ requestHeaders, responseHeaders, responseDate, ...rest }: Kept): Exchange {
  const present = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as unknown as Omit<Exchange, 'requestHeaders' | 'responseHeaders'>;
  const response = responseHeaders === undefined ? undefined : { ...(JSON.parse(responseHeaders) as Record<string, string>), ...(responseDate === undefined ? {} : { date: responseDate }) };
  return { ...present, requestHeaders: JSON.parse(requestHeaders) as Record<string, string>, ...(response === undefined ? {} : { responseHeaders: response }) };
}

/** A bounded in-memory log of exchanges with subscriptions. */
export class ExchangeLog {
  readonly #entries: Kept[] = [];
  readonly #listeners = new Set<(exchange: Exchange) => void>();
  readonly #limit: number;
  readonly #pool = new TextPool();
  /** Per sign-in: the id of its oldest entry still kept (a lower bound) and how many are kept, so `assign` scans only from there. */
  readonly #flows = new Map<string, { first: number; count: number }>();
  #nextId = 1;

  constructor(limit = 500) {
    this.#limit = limit;
  }

  /** Distinct texts the log shares between its entries. */
  get pooledTexts(): number {
    return this.#pool.size;
  }

  /** Adds an exchange (already masked) and notifies subscribers. */
  add(exchange: Omit<Exchange, 'id'>): Exchange {
    const entry: Exchange = { ...exchange, id: this.#nextId++ };
    this.#entries.push(this.#keep(entry));
    const flowId = entry.context?.flowId;
    if (flowId !== undefined) {
      const flow = this.#flows.get(flowId);
      if (flow === undefined) this.#flows.set(flowId, { first: entry.id, count: 1 });
      else flow.count += 1;
    }
    if (this.#entries.length > this.#limit) {
      const gone = this.#entries.shift();
      if (gone !== undefined) {
        for (const text of [gone.url, gone.requestHeaders, gone.requestBody, gone.responseHeaders, gone.responseBody]) this.#pool.release(text);
        this.#forget(gone);
      }
    }
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  #forget(gone: Kept): void {
    const flowId = gone.context?.flowId;
    const flow = flowId === undefined ? undefined : this.#flows.get(flowId);
    if (flowId === undefined || flow === undefined) return;
    flow.count -= 1;
    if (flow.count === 0) this.#flows.delete(flowId);
    else if (flow.first === gone.id) flow.first = gone.id + 1;
  }

  #keep(entry: Exchange): Kept {
    const { date, ...stable } = entry.responseHeaders ?? {};
    // Every field written, in one order: one shape for all kept entries, each a compact object.
    return {
      id: entry.id,
      startedAt: entry.startedAt,
      method: entry.method,
      url: this.#pool.take(entry.url),
      requestHeaders: this.#pool.take(JSON.stringify(entry.requestHeaders)),
      requestBody: this.#pool.take(entry.requestBody),
      requestBytes: entry.requestBytes,
      status: entry.status,
      statusText: entry.statusText,
      responseHeaders: entry.responseHeaders === undefined ? undefined : this.#pool.take(JSON.stringify(stable)),
      responseDate: date,
      responseBody: this.#pool.take(entry.responseBody),
      responseBytes: entry.responseBytes,
      durationMs: entry.durationMs,
      errorCode: entry.errorCode,
      context: entry.context,
    };
  }

  /** The recorded exchanges, oldest first: all, or those of one session and/or one sign-in. */
  entries(filter: ExchangeFilter = {}): readonly Exchange[] {
    const { sessionId, flowId } = filter;
    return this.#entries
      .filter((e) => (sessionId === undefined || e.context?.sessionId === sessionId) && (flowId === undefined || e.context?.flowId === flowId))
      .map(shown);
  }

  /**
   * Attributes a sign-in's exchanges to the session it became (the flow id is kept beside it), so the
   * session's timeline starts with its discovery and code exchange. Returns how many were re-tagged.
   */
  assign(flowId: string, sessionId: string): number {
    const flow = this.#flows.get(flowId);
    const oldest = this.#entries[0];
    if (flow === undefined || oldest === undefined) return 0;
    let count = 0;
    // Ids are consecutive in the log, so the sign-in's oldest entry sits at its id's distance from the oldest one's.
    for (let index = Math.max(0, flow.first - oldest.id); index < this.#entries.length; index += 1) {
      const entry = this.#entries[index]!;
      if (entry.context?.flowId !== flowId) continue;
      this.#entries[index] = { ...entry, context: { ...entry.context, sessionId } };
      count += 1;
    }
    return count;
  }

  /** Calls `listener` for each new exchange; returns the unsubscribe function. */
  subscribe(listener: (exchange: Exchange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  clear(): void {
    this.#entries.length = 0;
    this.#pool.clear();
    this.#flows.clear();
  }
}

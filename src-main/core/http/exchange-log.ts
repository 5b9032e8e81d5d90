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
  /** The session or sign-in it was made for (see `withExchangeContext`); absent when made outside any. */
  readonly context?: ExchangeContext;
}

/** Which entries to list: those of a session, of a sign-in, or all. */
export interface ExchangeFilter {
  readonly sessionId?: string;
  readonly flowId?: string;
}

/** A bounded in-memory log of exchanges with subscriptions. */
export class ExchangeLog {
  readonly #entries: Exchange[] = [];
  readonly #listeners = new Set<(exchange: Exchange) => void>();
  readonly #limit: number;
  #nextId = 1;

  constructor(limit = 500) {
    this.#limit = limit;
  }

  /** Adds an exchange (already masked) and notifies subscribers. */
  add(exchange: Omit<Exchange, 'id'>): Exchange {
    const entry: Exchange = { ...exchange, id: this.#nextId++ };
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.shift();
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  /** The recorded exchanges, oldest first: all, or those of one session and/or one sign-in. */
  entries(filter: ExchangeFilter = {}): readonly Exchange[] {
    const { sessionId, flowId } = filter;
    return this.#entries.filter((e) => (sessionId === undefined || e.context?.sessionId === sessionId) && (flowId === undefined || e.context?.flowId === flowId));
  }

  /**
   * Attributes a sign-in's exchanges to the session it became (the flow id is kept beside it), so the
   * session's timeline starts with its discovery and code exchange. Returns how many were re-tagged.
   */
  assign(flowId: string, sessionId: string): number {
    let count = 0;
    for (const [index, entry] of this.#entries.entries()) {
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
  }
}

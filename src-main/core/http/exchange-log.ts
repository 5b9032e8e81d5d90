/**
 * The exchange log: every back-channel HTTP exchange, secrets masked, for the UI timeline and the CLI.
 * @module
 */

/** One recorded exchange. Every value in it has been masked already. */
export interface Exchange {
  readonly id: number;
  readonly startedAt: number;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string;
  readonly status?: number;
  readonly responseHeaders?: Readonly<Record<string, string>>;
  readonly responseBody?: string;
  readonly durationMs: number;
  /** Error code when the exchange failed before a usable response (timeout, network, size cap). */
  readonly errorCode?: string;
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

  /** The recorded exchanges, oldest first. */
  entries(): readonly Exchange[] {
    return [...this.#entries];
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

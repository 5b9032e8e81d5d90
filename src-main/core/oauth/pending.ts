/**
 * Pending authorization flows: single-use (taken by `state`, deleted on read), expiring, bounded.
 * @module
 */
import { DeskError } from '../errors.ts';

/** How long a sign-in may wait for its callback. */
export const FLOW_TTL_MS = 10 * 60 * 1000;
/** How many sign-ins may wait at once. */
export const MAX_PENDING_FLOWS = 16;

/** What a pending flow must carry to be found and expired. */
export interface PendingEntry {
  readonly state: string;
  readonly createdAt: number;
}

/** The table of flows waiting for their callback. */
export class PendingFlows<T extends PendingEntry> {
  readonly #flows = new Map<string, T>();
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(options: { now: () => number; ttlMs?: number; max?: number }) {
    this.#now = options.now;
    this.#ttlMs = options.ttlMs ?? FLOW_TTL_MS;
    this.#max = options.max ?? MAX_PENDING_FLOWS;
  }

  /** Adds a flow; refuses when too many are waiting. */
  add(flow: T): void {
    this.purgeExpired();
    if (this.#flows.size >= this.#max) {
      throw new DeskError('FLOW_LIMIT', `${this.#max} sign-ins are already waiting for the browser. Finish or cancel one first.`);
    }
    this.#flows.set(flow.state, flow);
  }

  /** Removes and returns the flow for `state`; an expired flow is absent. */
  take(state: string): T | undefined {
    const flow = this.#flows.get(state);
    if (flow === undefined) return undefined;
    this.#flows.delete(state);
    return this.#isExpired(flow) ? undefined : flow;
  }

  /** True when a live flow waits on `state` (does not consume it). */
  has(state: string): boolean {
    const flow = this.#flows.get(state);
    return flow !== undefined && !this.#isExpired(flow);
  }

  /** Removes expired flows and returns them (so their waiters can be told). */
  purgeExpired(): T[] {
    const expired: T[] = [];
    for (const [state, flow] of this.#flows) {
      if (this.#isExpired(flow)) {
        this.#flows.delete(state);
        expired.push(flow);
      }
    }
    return expired;
  }

  /** Live flows (read-only view). */
  values(): T[] {
    return [...this.#flows.values()].filter((f) => !this.#isExpired(f));
  }

  get size(): number {
    return this.#flows.size;
  }

  #isExpired(flow: T): boolean {
    return this.#now() - flow.createdAt >= this.#ttlMs;
  }
}

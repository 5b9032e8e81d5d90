/**
 * Pending authorization flows: single-use (taken by `state`, deleted on read), ended by their own
 * deadline signal, bounded.
 * @module
 */
import { DeskError } from '../errors.ts';

/** How long a sign-in may wait for its callback unless it asks for another deadline. */
export const FLOW_TTL_MS = 10 * 60 * 1000;
/** How many sign-ins may wait at once. */
export const MAX_PENDING_FLOWS = 16;

/** What a pending flow must carry to be found and ended. */
export interface PendingEntry {
  readonly state: string;
  /** The flow's deadline: once aborted (timeout, cancel, done), the flow is absent. */
  readonly signal: AbortSignal;
}

/** The table of flows waiting for their callback. */
export class PendingFlows<T extends PendingEntry> {
  readonly #flows = new Map<string, T>();
  readonly #max: number;

  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? MAX_PENDING_FLOWS;
  }

  /** Adds a flow; refuses when too many are waiting, or when its deadline has passed already. */
  add(flow: T): void {
    this.purgeExpired();
    if (flow.signal.aborted) throw new DeskError('FLOW_TIMEOUT', 'The sign-in ended before it could wait for the browser. Start it again.');
    if (this.#flows.size >= this.#max) {
      throw new DeskError('FLOW_LIMIT', `${this.#max} sign-ins are already waiting for the browser. Finish or cancel one first.`);
    }
    this.#flows.set(flow.state, flow);
  }

  /** Removes and returns the flow for `state`; an ended flow is absent. */
  take(state: string): T | undefined {
    const flow = this.#flows.get(state);
    if (flow === undefined) return undefined;
    this.#flows.delete(state);
    return flow.signal.aborted ? undefined : flow;
  }

  /** True when a live flow waits on `state` (does not consume it). */
  has(state: string): boolean {
    const flow = this.#flows.get(state);
    return flow !== undefined && !flow.signal.aborted;
  }

  /** The live flow waiting on `state`, without taking it (to see where it expects its response). */
  peek(state: string): T | undefined {
    const flow = this.#flows.get(state);
    return flow === undefined || flow.signal.aborted ? undefined : flow;
  }

  /** Removes ended flows and returns them. */
  purgeExpired(): T[] {
    const expired: T[] = [];
    for (const [state, flow] of this.#flows) {
      if (flow.signal.aborted) {
        this.#flows.delete(state);
        expired.push(flow);
      }
    }
    return expired;
  }

  /** Live flows (read-only view). */
  values(): T[] {
    return [...this.#flows.values()].filter((f) => !f.signal.aborted);
  }

  get size(): number {
    return this.#flows.size;
  }
}

/**
 * The one deadline of a sign-in: a timeout, a cancel switch and the caller's own signal combined into
 * one AbortSignal that the loopback receiver, the pending flow, the exchanges and the outcome follow.
 * @module
 */
import { DeskError, isDeskError } from '../errors.ts';
import { humanizeDuration } from './jwt-report.ts';

/** The longest a sign-in may wait for the browser: one day (timers cannot go much further). */
export const MAX_SIGN_IN_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * A started deadline. An abort whose reason is a DeskError ends the sign-in with that error; the
 * timeout with `FLOW_TIMEOUT`; any other abort (a caller's plain `abort()`) with `SIGN_IN_CANCELLED`.
 */
export class Deadline {
  /** Aborted at the timeout, on `cancel`, when the caller's signal aborts, or when the sign-in ended. */
  readonly signal: AbortSignal;
  /** When the timeout passes, ms since the epoch on the engine's clock. */
  readonly expiresAt: number;
  readonly #timeoutMs: number;
  // Node collects a timeout signal that only a combined signal refers to, and then it never fires:
  // the deadline holds its sources for as long as the sign-in holds the deadline.
  readonly #timeout: AbortSignal;
  readonly #cancel = new AbortController();

  /** Starts a deadline of `timeoutMs`: USAGE unless 0 < timeoutMs <= {@link MAX_SIGN_IN_TIMEOUT_MS}. */
  constructor(timeoutMs: unknown, now: () => number, outer?: AbortSignal) {
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_SIGN_IN_TIMEOUT_MS) {
      throw new DeskError('USAGE', `A sign-in's timeout must be more than 0 and at most ${humanizeDuration(MAX_SIGN_IN_TIMEOUT_MS)}.`);
    }
    this.#timeoutMs = timeoutMs;
    this.#timeout = AbortSignal.timeout(timeoutMs);
    const sources = [this.#timeout, this.#cancel.signal];
    this.signal = AbortSignal.any(outer === undefined ? sources : [...sources, outer]);
    this.expiresAt = now() + timeoutMs;
  }

  /** Ends the deadline now with this reason (the first reason stays). */
  cancel(reason: DeskError): void {
    this.#cancel.abort(reason);
  }

  /** Why the signal aborted, as the error the sign-in ends with. */
  error(): DeskError {
    const reason: unknown = this.signal.reason;
    if (isDeskError(reason)) return reason;
    if (this.#timeout.aborted && reason === this.#timeout.reason) {
      return new DeskError('FLOW_TIMEOUT', `No answer from the browser within ${humanizeDuration(this.#timeoutMs)}; the sign-in was abandoned. Start it again.`);
    }
    return new DeskError('SIGN_IN_CANCELLED', 'Sign-in was cancelled.');
  }
}

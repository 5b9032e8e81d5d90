/**
 * The refresh scheduler: refreshes a session's access token shortly before it expires, and retries
 * failed refreshes (network, 5xx) with exponential backoff and jitter. It never opens a browser.
 * @module
 */

/** Refresh this long before expiry (or at a tenth of the lifetime left, if shorter). */
export const REFRESH_LEAD_MS = 60_000;
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_MAX_MS = 5 * 60_000;

/** Delay before retry number `attempt` (1-based): exponential, capped, with "equal jitter". */
export function backoffDelay(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

interface Plan {
  at: number;
  attempt: number;
  timer?: ReturnType<typeof setTimeout> | undefined;
}

/** Timers per session; they only run between start() and stop(). */
export class RefreshScheduler {
  readonly #deps: { now: () => number; random: () => number; refresh: (id: string) => Promise<void> };
  readonly #plans = new Map<string, Plan>();
  #running = false;

  constructor(deps: { now: () => number; random: () => number; refresh: (id: string) => Promise<void> }) {
    this.#deps = deps;
  }

  start(): void {
    this.#running = true;
    for (const id of this.#plans.keys()) this.#arm(id);
  }

  stop(): void {
    this.#running = false;
    for (const plan of this.#plans.values()) clearTimeout(plan.timer);
  }

  /** Plans a refresh shortly before `expiresAt`. */
  planExpiry(id: string, expiresAt: number): void {
    const now = this.#deps.now();
    const lead = Math.min(REFRESH_LEAD_MS, Math.max(0, (expiresAt - now) / 10));
    this.#set(id, { at: Math.max(now, expiresAt - lead), attempt: this.#plans.get(id)?.attempt ?? 0 });
  }

  /** Plans the next retry after a failure, backing off. */
  planRetry(id: string): number {
    const attempt = (this.#plans.get(id)?.attempt ?? 0) + 1;
    const delay = backoffDelay(attempt, this.#deps.random());
    this.#set(id, { at: this.#deps.now() + delay, attempt });
    return delay;
  }

  /** Resets the backoff after a successful refresh. */
  succeeded(id: string): void {
    const plan = this.#plans.get(id);
    if (plan) plan.attempt = 0;
  }

  cancel(id: string): void {
    clearTimeout(this.#plans.get(id)?.timer);
    this.#plans.delete(id);
  }

  /** When the next refresh of `id` is due, if planned (for views and tests). */
  nextAt(id: string): { at: number; attempt: number } | undefined {
    const plan = this.#plans.get(id);
    return plan ? { at: plan.at, attempt: plan.attempt } : undefined;
  }

  #set(id: string, plan: Plan): void {
    clearTimeout(this.#plans.get(id)?.timer);
    this.#plans.set(id, plan);
    if (this.#running) this.#arm(id);
  }

  #arm(id: string): void {
    const plan = this.#plans.get(id);
    if (!plan) return;
    clearTimeout(plan.timer);
    plan.timer = setTimeout(() => {
      plan.timer = undefined;
      // Failures are recorded on the session by the service, which also plans the retry.
      this.#deps.refresh(id).catch(() => undefined);
    }, Math.max(0, plan.at - this.#deps.now()));
    plan.timer.unref?.();
  }
}

/**
 * Which session or sign-in an HTTP exchange is made for, carried through every await by
 * AsyncLocalStorage, so the core fetch can tag each exchange it logs.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What an exchange is attributed to: a session, a sign-in (its flow id), or both once assigned. */
export interface ExchangeContext {
  readonly sessionId?: string;
  readonly flowId?: string;
}

const storage = new AsyncLocalStorage<ExchangeContext>();

/**
 * Runs `fn` so that every exchange it makes (directly or after any number of awaits) carries
 * `context`. An inner context replaces an outer one: an exchange belongs to one operation.
 */
export function withExchangeContext<T>(context: ExchangeContext, fn: () => T): T {
  return storage.run({ ...context }, fn);
}

/** The context of the operation running now, or undefined outside any. */
export function currentExchangeContext(): ExchangeContext | undefined {
  return storage.getStore();
}

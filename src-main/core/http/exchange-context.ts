/**
 * Which session or sign-in an HTTP exchange is made for: handed to the core fetch with each request
 * (never through async state), so the fetch can tag each exchange it logs.
 * @module
 */
import type { FetchLike } from './client.ts';

/** What an exchange is attributed to: a session, a sign-in (its flow id), or both once assigned. */
export interface ExchangeContext {
  readonly sessionId?: string;
  readonly flowId?: string;
}

/**
 * `fetch` with every exchange it makes attributed to `context` (passed in the request options, which the
 * core fetch logs and does not send); `fetch` itself when there is no context. Wrap the core fetch, not
 * an already tagged one: the tag nearest the core fetch is the one logged.
 */
export function fetchFor(fetch: FetchLike, context: ExchangeContext | undefined): FetchLike {
  if (context === undefined) return fetch;
  const tag: ExchangeContext = { ...context };
  return (input, init) => fetch(input, { ...init, context: tag });
}

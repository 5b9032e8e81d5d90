/**
 * One shared clock for every countdown: a single timer ticks once a second while anything listens, and
 * each component reads only what it shows (a countdown's text, a row's status), so a tick re-renders only
 * the components whose text changes, all in one commit.
 */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  now = Date.now();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) {
    now = Date.now();
    // Tick on the second boundary, so every countdown changes together.
    timer = setTimeout(() => {
      tick();
      timer = setInterval(tick, 1000);
    }, 1000 - (now % 1000));
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearTimeout(timer);
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/**
 * What `select` makes of the current time (ms since the epoch). Return a string or number: the component
 * re-renders only when it differs from the last tick's.
 */
export function useClock<T extends string | number | boolean>(select: (now: number) => T): T {
  const snapshot = () => {
    // With nobody listening the clock stands still: read the time afresh.
    if (listeners.size === 0) now = Date.now();
    return select(now);
  };
  return useSyncExternalStore(subscribe, snapshot);
}

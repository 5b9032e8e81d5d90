/**
 * A long list in two steps: the first render shows enough rows to fill a tall window, and the rest follow
 * in a transition, which React renders in slices between frames. The window shows its first screen of a
 * list of hundreds as soon as it would show a short list, and answers clicks and keys while the rest is
 * built, instead of blocking for the whole list at once.
 */
import { startTransition, useEffect, useState } from 'react';

/** Rows in the first step: more than fit a 2160-pixel-high window. */
export const FIRST_STEP_ROWS = 40;

/** How many of `total` rows to render now: all of a short list; of a long one, the first step, then all. */
export function useRowsInSteps(total: number): number {
  const [limit, setLimit] = useState(FIRST_STEP_ROWS);
  useEffect(() => {
    if (total > limit) startTransition(() => setLimit(Number.POSITIVE_INFINITY));
  }, [total, limit]);
  return Math.min(total, limit);
}

/** The bench's reference: a long list rendered in one step (stands in for src-renderer/hooks/use-rows-in-steps.ts in the at-once build). */
/** Every row at once. */
export function useRowsInSteps(total: number): number {
  return total;
}

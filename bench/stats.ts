/** Small helpers for the benchmarks: percentiles, medians and ratios, and interleaved measurement. */

export function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Median, p95 and mean of samples in milliseconds. */
export function summarize(samples: readonly number[]): { median: number; p95: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length) };
}

/** The median of samples. */
export function median(samples: readonly number[]): number {
  return summarize(samples).median;
}

/**
 * Measures several cases in rounds, each round running every case once (A B A B ..., the order reversed
 * every other round), so a slow moment of the shared machine hits all of them alike. Each case returns
 * the milliseconds it measured itself (its untimed preparation stays out). `warmup` rounds are dropped.
 */
export async function interleaved<K extends string>(rounds: number, cases: Readonly<Record<K, () => Promise<number>>>, warmup = 1): Promise<Record<K, number[]>> {
  const names = Object.keys(cases) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const ms = await cases[name]();
      if (round >= warmup) out[name].push(ms);
    }
  }
  return out;
}

/** `1.23x` */
export function ratioText(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

/** `12.3 ms` (two decimals under 10 ms). */
export function msText(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

/** `12.3 MB` (MiB, as V8 counts the heap). */
export function mbText(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

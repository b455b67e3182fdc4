/** Nearest-rank quantile of a sample (the value at or below which a share q of the samples lie). */
export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

export const round2 = (v: number) => Math.round(v * 100) / 100;

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** What every bench prints of a set of timings (ms), rounded to 0.01. */
export function latencySummary(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round2(quantile(sorted, 0.5)),
    p90: round2(quantile(sorted, 0.9)),
    p99: round2(quantile(sorted, 0.99)),
    max: round2(sorted[sorted.length - 1] ?? NaN),
    mean: round2(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

// Percentiles and round summaries. Nearest-rank percentiles: every figure
// reported is a latency that was actually observed, never an interpolation.

/** Sorts `values` in place (typed arrays sort numerically) and returns it. */
export function sorted<T extends Float64Array | number[]>(values: T): T {
  if (Array.isArray(values)) values.sort((a, b) => a - b);
  else values.sort();
  return values;
}

/** The nearest-rank `p`-th percentile (0 < p ≤ 100) of ascending `values`. */
export function percentile(ascending: ArrayLike<number>, p: number): number {
  if (ascending.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * ascending.length);
  return ascending[Math.min(ascending.length, Math.max(1, rank)) - 1]!;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length ? sum / values.length : NaN;
}

/** Median of a handful of round figures (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Latency samples in a preallocated array: bounded memory whatever the
 * message rate, and no allocation on the hot path.
 */
export class Samples {
  readonly #values: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  /** Records one value; false once full (the caller stops measuring). */
  add(value: number): boolean {
    if (this.length === this.#values.length) return false;
    this.#values[this.length++] = value;
    return true;
  }

  /** The recorded values, ascending. */
  ascending(): Float64Array {
    return sorted(this.#values.subarray(0, this.length));
  }
}

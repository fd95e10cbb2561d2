/**
 * Small, dependency-free statistics for benchmark samples. Medians and nearest-rank percentiles are what
 * the report quotes: robust on a shared 2-core machine where one slow outlier is noise, not signal.
 */

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no samples');
  if (samples.some((s) => !Number.isFinite(s))) throw new RangeError('samples must be finite numbers');
  return [...samples].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in [0, 100]): always one of the samples, never an interpolation. */
export function percentile(samples: readonly number[], p: number): number {
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  const s = sorted(samples);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1]!;
}

/** Median: the middle sample, or the mean of the two middle samples for an even count. */
export function median(samples: readonly number[]): number {
  const s = sorted(samples);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Rounds to `digits` significant decimals for display (keeps JSON readable without hiding magnitude). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

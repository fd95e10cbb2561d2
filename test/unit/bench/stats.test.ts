import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, summarize } from '../../../bench/lib/stats';

describe('bench stats', () => {
  it('takes the middle sample, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('uses nearest-rank percentiles that are always real samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarises without mutating the input', () => {
    const samples = [3, 1, 2];
    expect(summarize(samples)).toMatchObject({ n: 3, min: 1, median: 2, max: 3, mean: 2 });
    expect(samples).toEqual([3, 1, 2]);
  });

  it('rejects empty or non-finite samples and out-of-range percentiles', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('reports a ratio over zero as Infinity', () => {
    expect(ratio(1, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(ratio(3, 2)).toBe(1.5);
  });
});

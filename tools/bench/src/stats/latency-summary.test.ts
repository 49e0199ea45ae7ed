import { describe, expect, it } from 'vitest';
import {
  bucketIndex,
  bucketUpperBound,
  emptyHistogram,
  merge,
  percentile,
  quantile,
  record,
  summarizeMicros,
} from './latency-summary.js';

describe('percentile (nearest rank)', () => {
  it.each([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.1, 1],
    [[10, 1, 5], 0.5, 5],
    [[42], 0.99, 42],
    [[5, 1], 1, 5],
    [[5, 1], 0, 1],
  ])('%j at %d -> %d', (samples, q, expected) => {
    expect(percentile(samples, q)).toBe(expected);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('histogram buckets', () => {
  it('is exact below 128 µs', () => {
    for (let v = 0; v < 128; v++) expect(bucketUpperBound(bucketIndex(v))).toBe(v);
  });

  it('keeps every value in a bucket whose upper bound is >= it and within 1/64', () => {
    for (const v of [128, 129, 255, 256, 1000, 4097, 65_535, 1_000_000, 123_456_789]) {
      const upper = bucketUpperBound(bucketIndex(v));
      expect(upper).toBeGreaterThanOrEqual(v);
      expect((upper - v) / v).toBeLessThan(1 / 64);
    }
  });

  it('orders buckets like their values', () => {
    let previous = -1;
    for (let v = 0; v < 200_000; v += 37) {
      const index = bucketIndex(v);
      expect(index).toBeGreaterThanOrEqual(previous);
      previous = index;
    }
  });
});

describe('histogram quantiles', () => {
  it('matches exact percentiles within bucket precision', () => {
    const h = emptyHistogram();
    const samples: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const v = (i * 7919) % 50_000;
      samples.push(v);
      record(h, v);
    }
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const exact = percentile(samples, q);
      const approx = quantile(h, q);
      expect(approx).toBeGreaterThanOrEqual(exact);
      expect(approx - exact).toBeLessThanOrEqual(Math.max(1, exact / 64));
    }
    expect(quantile(h, 1)).toBe(Math.max(...samples));
  });

  it('merges histograms from several workers as if recorded in one', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    const all = emptyHistogram();
    for (let v = 0; v < 1000; v++) {
      record(v % 2 ? a : b, v * 10);
      record(all, v * 10);
    }
    const merged = merge(merge(emptyHistogram(), a), b);
    expect(merged.count).toBe(1000);
    expect(merged.min).toBe(0);
    expect(merged.max).toBe(9990);
    expect(quantile(merged, 0.99)).toBe(quantile(all, 0.99));
    expect(quantile(merged, 0.5)).toBe(quantile(all, 0.5));
  });

  it('summarizes microseconds as milliseconds', () => {
    const h = emptyHistogram();
    for (const us of [1000, 2000, 3000, 4000, 100_000]) record(h, us);
    const s = summarizeMicros(h);
    expect(s.count).toBe(5);
    expect(s.p50Ms).toBeCloseTo(3, 1);
    expect(s.maxMs).toBe(100);
    expect(s.meanMs).toBe(22);
  });

  it('reports NaN for an empty histogram', () => {
    expect(summarizeMicros(emptyHistogram()).p99Ms).toBeNaN();
  });
});

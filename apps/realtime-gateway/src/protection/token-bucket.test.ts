import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst of capacity, then refuses', () => {
    const bucket = new TokenBucket(3, 60, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it.each([
    { perMinute: 60, waitMs: 1000, expected: true },
    { perMinute: 60, waitMs: 500, expected: false },
    { perMinute: 600, waitMs: 100, expected: true },
    { perMinute: 1, waitMs: 59_000, expected: false },
  ])('refills $perMinute/min: after $waitMs ms -> $expected', ({ perMinute, waitMs, expected }) => {
    const bucket = new TokenBucket(1, perMinute, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(waitMs)).toBe(expected);
  });

  it('never holds more than its capacity', () => {
    const bucket = new TokenBucket(2, 60, 0);
    const results = [0, 0, 0].map(() => bucket.take(3_600_000));
    expect(results).toEqual([true, true, false]);
  });
});

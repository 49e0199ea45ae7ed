import { describe, expect, it } from 'vitest';
import { exceedsDepth } from './json-depth.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('exceedsDepth', () => {
  it.each([
    ['a scalar', 'x', 0, false],
    ['an empty object at its limit', {}, 1, false],
    ['an empty object beyond a zero limit', {}, 0, true],
    ['3 levels at limit 3', nested(3), 3, false],
    ['4 levels over limit 3', nested(4), 3, true],
    [
      'a wide but shallow object',
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, { v: i }])),
      2,
      false,
    ],
    ['10 000 levels without overflowing the stack', nested(10_000), 64, true],
  ])('%s', (_name, value, limit, expected) => {
    expect(exceedsDepth(value, limit)).toBe(expected);
  });
});

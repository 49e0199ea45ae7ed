import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { RecentIds } from './dedup.js';
import { tokenExpiry } from './token.js';

describe('backoffDelay', () => {
  it.each([
    { attempt: 0, random: 0, expected: 250 },
    { attempt: 1, random: 0, expected: 500 },
    { attempt: 3, random: 0, expected: 2000 },
    { attempt: 10, random: 0, expected: 10_000 },
    { attempt: 1, random: 1, expected: 250 },
    { attempt: 2, random: 0.5, expected: 750 },
  ])('attempt $attempt, random $random -> $expected ms', ({ attempt, random, expected }) => {
    expect(backoffDelay(attempt, {}, () => random)).toBe(expected);
  });

  it('honours its options', () => {
    expect(backoffDelay(4, { initialDelayMs: 10, maxDelayMs: 100, factor: 3, jitter: 0 })).toBe(
      100,
    );
  });
});

describe('RecentIds', () => {
  it('reports each id once and forgets the oldest past capacity', () => {
    const ids = new RecentIds(2);
    expect([ids.add('a'), ids.add('a'), ids.add('b'), ids.add('c'), ids.add('a')]).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
  });
});

describe('tokenExpiry', () => {
  it('reads exp from a JWT payload, undefined otherwise', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1234 })).toString('base64url');
    expect(tokenExpiry(`h.${payload}.s`)).toBe(1234);
    expect(tokenExpiry('garbage')).toBeUndefined();
  });
});

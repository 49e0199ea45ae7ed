import { describe, expect, it } from 'vitest';
import { sourceAddress } from './source-address.js';

describe('sourceAddress', () => {
  it('spreads clients over loopback addresses, never 127.0.0.1 or .0', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(sourceAddress(i));
    expect(seen.size).toBe(50);
    expect(seen.has('127.0.0.1')).toBe(false);
    expect(sourceAddress(0)).toBe('127.0.0.2');
    expect(sourceAddress(49)).toBe('127.0.0.51');
    expect(sourceAddress(50)).toBe('127.0.0.2');
    expect(sourceAddress(5, 3)).toBe('127.0.0.4');
  });
});

import { describe, expect, it } from 'vitest';
import { createLogTail } from '../src/log-tail.js';

describe('log tail', () => {
  it('keeps only the newest lines, in order, up to its limit', () => {
    const tail = createLogTail(3);
    for (const line of ['a', 'b', 'c', 'd', 'e']) tail.push(line);
    expect(tail.lines()).toEqual(['c', 'd', 'e']);
  });
});

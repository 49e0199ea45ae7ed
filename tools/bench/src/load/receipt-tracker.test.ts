import { describe, expect, it } from 'vitest';
import { ReceiptTracker } from './receipt-tracker.js';

describe('ReceiptTracker', () => {
  it('counts unique deliveries per room, duplicates per client and room, late ones apart', () => {
    const t = new ReceiptTracker();
    t.begin(2);
    t.receive('c1|a', 'a', 2, 0, 100);
    t.receive('c1|a', 'a', 2, 1, 200);
    t.receive('c2|a', 'a', 2, 0, 300); // another client: not a duplicate
    t.receive('c1|a', 'a', 2, 0, 400); // duplicate
    t.receive('c1|b', 'b', 2, 5000, 500); // far message number: bitset grows
    t.receive('c1|b', 'b', 2, 5000, 500); // duplicate
    t.receive('c1|a', 'a', 1, 7, 600); // late from step 1
    t.receive('c1|a', 'a', 3, 7, 600); // from the future: ignored
    expect(t.unique).toEqual({ a: 3, b: 1 });
    expect(t.duplicates).toBe(2);
    expect(t.late).toBe(1);
    expect(t.latency.count).toBe(4);
    expect(t.latency.max).toBe(500);
  });

  it('starts each step from zero', () => {
    const t = new ReceiptTracker();
    t.begin(1);
    t.receive('k', 'a', 1, 0, 1);
    t.begin(2);
    t.receive('k', 'a', 2, 0, 1);
    expect(t.duplicates).toBe(0);
    expect(t.unique).toEqual({ a: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { createUsageCache } from './usage-cache.js';

const reading = { processes: 2, rssBytes: 4096, cpuSeconds: 1.5 };

function counted(ttlMs: number) {
  let now = 1_000_000;
  const reads: string[] = [];
  const cache = createUsageCache({
    ttlMs,
    clock: () => now,
    read: async (sandboxId) => {
      reads.push(sandboxId);
      return reading;
    },
  });
  return { cache, reads, advance: (ms: number) => (now += ms) };
}

describe('per-sandbox usage readings', () => {
  it('answers every call within the TTL from one reading, concurrent ones included', async () => {
    const { cache, reads, advance } = counted(1000);
    const usages = await Promise.all([cache.usage('a'), cache.usage('a'), cache.usage('b')]);
    advance(999);
    usages.push(await cache.usage('a'));
    expect(reads).toEqual(['a', 'b']);
    for (const usage of usages)
      expect(usage).toEqual({ ...reading, sampledAt: new Date(1_000_000).toISOString() });
  });

  it('reads again once the TTL has passed, and on every call with a TTL of 0', async () => {
    const timed = counted(1000);
    await timed.cache.usage('a');
    timed.advance(1000);
    expect((await timed.cache.usage('a')).sampledAt).toBe(new Date(1_001_000).toISOString());
    expect(timed.reads).toEqual(['a', 'a']);
    const uncached = counted(0);
    await uncached.cache.usage('a');
    await uncached.cache.usage('a');
    expect(uncached.reads).toEqual(['a', 'a']);
  });

  it('does not replay a failed reading', async () => {
    let fail = true;
    const cache = createUsageCache({
      ttlMs: 60_000,
      read: async () => {
        if (fail) throw new Error('cgroup unreadable');
        return reading;
      },
    });
    await expect(cache.usage('a')).rejects.toThrow('cgroup unreadable');
    fail = false;
    expect((await cache.usage('a')).processes).toBe(2);
  });

  it('keeps at most maxEntries readings, dropping expired ones first', async () => {
    let now = 0;
    let reads = 0;
    const cache = createUsageCache({
      ttlMs: 100,
      maxEntries: 2,
      clock: () => now,
      read: async () => {
        reads += 1;
        return reading;
      },
    });
    await cache.usage('a');
    await cache.usage('b');
    now = 100;
    await cache.usage('c');
    await cache.usage('c');
    expect(reads).toBe(3);
  });
});

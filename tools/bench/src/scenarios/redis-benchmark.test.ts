import { describe, expect, it } from 'vitest';
import { parseRedisBenchmarkCsv } from './redis-benchmark.js';

describe('parseRedisBenchmarkCsv', () => {
  it('reads the PUBLISH line of redis-benchmark --csv', () => {
    const csv = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"PUBLISH bench:publish xxxx","98328.42","0.290","0.064","0.263","0.447","0.623","2.135"',
    ].join('\n');
    expect(parseRedisBenchmarkCsv(csv)).toEqual({
      requestsPerSec: 98328.42,
      p50Ms: 0.263,
      p99Ms: 0.623,
      maxMs: 2.135,
    });
  });

  it('returns undefined without a PUBLISH line', () => {
    expect(parseRedisBenchmarkCsv('Could not connect to Redis')).toBeUndefined();
  });
});

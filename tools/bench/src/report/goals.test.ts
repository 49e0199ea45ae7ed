import { describe, expect, it } from 'vitest';
import type { ScaleResult } from '../scenarios/scale.js';
import type { BenchResults } from './bench-results.js';
import { goalRows } from './goals.js';

function scaleRun(overrides: Partial<ScaleResult> = {}): ScaleResult {
  return {
    target: 'switchboard gateway (3 instances)',
    instances: 3,
    requested: 50_000,
    connected: 50_000,
    failed: 0,
    errors: [],
    rampPerSec: 1000,
    achievedPerSec: 990,
    connectP50Ms: 4,
    connectP95Ms: 40,
    connectP99Ms: 90,
    serverCpuPerConnectUs: 900,
    heldSec: 60,
    dropped: 0,
    rssPerConnectionKiB: 9,
    broadcast: {
      published: 5,
      expected: 250_000,
      delivered: 250_000,
      lossPct: 0,
      duplicates: 0,
      p50Ms: 200,
      p99Ms: 700,
      maxMs: 800,
    },
    ...overrides,
  };
}

function scaleVerdict(scale: ScaleResult | undefined) {
  const results = { fanout: [], connections: [], http: [], scale } as unknown as BenchResults;
  return goalRows(results).find((r) => r.goal === '4 scale')!;
}

describe('goal 4 (scale)', () => {
  it('is met by 50 000 held connections, none dropped, p95 within 500 ms at 1 000/s', () => {
    const row = scaleVerdict(scaleRun());
    expect(row.verdict).toBe('met');
    expect(row.measured).toContain('broadcast to all: p99 700 ms');
  });

  it.each([
    ['a dropped connection', { dropped: 1 }],
    ['a slow connect p95', { connectP95Ms: 501 }],
    ['a slower ramp', { rampPerSec: 500 }],
    ['a shorter hold', { heldSec: 30 }],
    ['a failed connect', { connected: 49_999, failed: 1 }],
    ['a smaller run', { requested: 2000, connected: 2000 }],
  ])('is short with %s', (_, overrides) => {
    expect(scaleVerdict(scaleRun(overrides)).verdict).toBe('short');
  });

  it('is not measured when the scale scenario did not run', () => {
    expect(scaleVerdict(undefined).verdict).toBe('not measured');
  });
});

describe('goal 2 (throughput)', () => {
  function fanout(target: string, delivered: number, endedBy: 'lag' | 'budget' | 'rate cap') {
    const step = { rate: 1000, deliveredPerSec: delivered, lagging: false };
    return { target, steps: [step], best: step, endedBy };
  }
  function verdict(sioEndedBy: 'lag' | 'budget') {
    const results = {
      fanout: [
        fanout('switchboard gateway (3 instances)', 90_000, 'lag'),
        fanout('socket.io + redis-adapter (3 instances)', 20_000, sioEndedBy),
      ],
      connections: [],
      http: [],
    } as unknown as BenchResults;
    return goalRows(results).find((r) => r.goal === '2 throughput')!;
  }

  it('is met at 3× when both lagged', () => {
    expect(verdict('lag').verdict).toBe('met');
  });

  it('decides nothing when Socket.IO was stopped by the budget before it lagged', () => {
    const row = verdict('budget');
    expect(row.verdict).toBe('not measured');
    expect(row.measured).toContain('ratio is an upper bound');
  });
});

describe('goal 6 (sandbox API)', () => {
  function httpRow(
    label: string,
    figures: { requestsPerSec: number; p99Ms: number; passP99Ms: number },
  ) {
    return {
      service: 'sandbox-service',
      label,
      expectedStatus: 200,
      connections: 10,
      durationSec: 15,
      expectedPct: 100,
      plan: 'sandbox-status',
      total: figures.requestsPerSec * 15,
      p50Ms: 1,
      maxMs: figures.p99Ms * 2,
      statuses: { '200': figures.requestsPerSec * 15 },
      errors: 0,
      timeouts: 0,
      ...figures,
    };
  }
  const rows = (http: ReturnType<typeof httpRow>[]) =>
    goalRows({ fanout: [], connections: [], http } as unknown as BenchResults).filter(
      (r) => r.goal === '6 sandbox',
    );
  const saturated = [
    httpRow('GET status', { requestsPerSec: 3000, p99Ms: 17, passP99Ms: 0 }),
    httpRow('pause+resume pairs (1 sandbox per connection)', {
      requestsPerSec: 600,
      p99Ms: 40,
      passP99Ms: 80,
    }),
  ];

  it('judges latency on the paced rows and shows the full-load figures beside them', () => {
    const [status, pairs] = rows([
      ...saturated,
      httpRow('GET status paced at 2050 req/s', { requestsPerSec: 2049, p99Ms: 6, passP99Ms: 0 }),
      httpRow('pause+resume pairs, one caller at a time', {
        requestsPerSec: 300,
        p99Ms: 8,
        passP99Ms: 14,
      }),
    ]);
    expect(status!.verdict).toBe('met');
    expect(status!.measured).toContain('at full load p99 17 ms');
    expect(pairs!.verdict).toBe('met');
    expect(pairs!.measured).toContain('pair p99 14 ms');
    expect(pairs!.measured).toContain('at full load p99 80 ms');
  });

  it('is short when the paced status rate fell below 2 000 req/s, however low its p99', () => {
    const [status] = rows([
      ...saturated,
      httpRow('GET status paced at 2050 req/s', { requestsPerSec: 1800, p99Ms: 3, passP99Ms: 0 }),
    ]);
    expect(status!.verdict).toBe('short');
  });

  it('falls back to the full-load rows of a run without paced ones', () => {
    const [status, pairs] = rows(saturated);
    expect(status!.measured).toMatch(/^p99 17 ms/);
    expect(status!.verdict).toBe('short');
    expect(pairs!.measured).toMatch(/^pair p99 80 ms/);
  });
});

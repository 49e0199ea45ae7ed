import { createKeyspace } from '@switchboard/keyspace';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { processesBySandbox } from '../src/drivers/proc-table.js';
import { createProcessDriver } from '../src/drivers/process-driver.js';
import { TEST_SECRET, caller, type Caller, useRedis, useSandboxRoot } from './helper.js';

const TTL_MS = 1000;

describe('status usage comes from one shared /proc sample', () => {
  const redis = useRedis();
  const root = useSandboxRoot();
  let app: TypedFastify;
  let alice: Caller;
  let scans = 0;
  // A clock the test moves by hand, so "within the TTL" and "after the TTL" do not depend on timing.
  let now = Date.parse('2026-01-01T00:00:00.000Z');

  beforeAll(async () => {
    const driver = createProcessDriver({
      root: root.path,
      usageSampleTtlMs: TTL_MS,
      clock: () => now,
      // The real /proc scan, counted.
      usageScanner: () => {
        scans += 1;
        return processesBySandbox();
      },
    });
    app = await buildApp({
      redisUrl: redis.server.url,
      keyspace: createKeyspace(''),
      auth: { secret: TEST_SECRET },
      logLevel: 'silent',
      settings: { SANDBOX_ROOT: root.path },
      driver,
    });
    await app.ready();
    alice = caller(app, 'alice', 'd1');
  });
  afterAll(async () => {
    await app.close();
  });

  const usageOf = async (id: string) => {
    const res = await alice.get(`/api/sandbox/${id}/status`);
    expect(res.statusCode).toBe(200);
    return res.json().data.usage as {
      processes: number;
      rssBytes: number;
      cpuSeconds: number;
      sampledAt: string;
    };
  };

  it('answers status calls within the TTL, for every sandbox and concurrent callers, from one scan', async () => {
    const first = await alice.createSandbox();
    const second = await alice.createSandbox();
    now += TTL_MS; // whatever was sampled before is stale
    const before = scans;
    const usages = await Promise.all([
      usageOf(first.id),
      usageOf(first.id),
      usageOf(second.id),
      usageOf(first.id),
      usageOf(second.id),
    ]);
    expect(scans - before).toBe(1);
    now += TTL_MS - 1;
    usages.push(await usageOf(first.id), await usageOf(second.id));
    expect(scans - before).toBe(1);
    for (const usage of usages) {
      expect(usage).toEqual({
        processes: 0,
        rssBytes: 0,
        cpuSeconds: 0,
        sampledAt: new Date(now - (TTL_MS - 1)).toISOString(),
      });
    }
  });

  it('scans again once the sample is older than the TTL', async () => {
    const sandbox = await alice.createSandbox();
    await usageOf(sandbox.id);
    const before = scans;
    now += TTL_MS;
    const usage = await usageOf(sandbox.id);
    expect(scans - before).toBe(1);
    expect(usage.sampledAt).toBe(new Date(now).toISOString());
    await usageOf(sandbox.id);
    expect(scans - before).toBe(1);
  });

  it('shows the processes of a running execution, and only in its own sandbox', async () => {
    const busy = await alice.createSandbox();
    const idle = await alice.createSandbox();
    const running = app.sandbox.driver.exec(busy.id, {
      executionId: 'usage-sample-exec',
      command: 'sleep',
      args: ['30'],
      timeoutMs: 60_000,
      maxOutputBytes: 1024,
    });
    try {
      let usage = await usageOf(busy.id);
      await waitFor(
        async () => {
          now += TTL_MS; // each poll looks at a fresh sample
          usage = await usageOf(busy.id);
          // A process caught between fork and exec can show in /proc before it has its memory.
          return usage.processes >= 1 && usage.rssBytes > 0;
        },
        { message: 'the execution to show in usage', timeoutMs: 10_000 },
      );
      expect(usage.rssBytes).toBeGreaterThan(0);
      expect(usage.sampledAt).toBe(new Date(now).toISOString());
      expect((await usageOf(idle.id)).processes).toBe(0);
    } finally {
      await app.sandbox.driver.killExecution(busy.id, 'usage-sample-exec');
      await running;
    }
    now += TTL_MS;
    expect((await usageOf(busy.id)).processes).toBe(0);
  });
});

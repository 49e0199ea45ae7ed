import { waitFor } from '@switchboard/test-redis';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createRedis } from '@switchboard/redis';
import { createProcessDriver } from '../src/drivers/process-driver.js';
import { addWorkerChecks, createWorkerEndpoint } from '../src/workers/worker-endpoint.js';
import { build, caller, useRedis, useSandboxRoot } from './helper.js';

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

function expectUnavailable(res: LightMyRequestResponse) {
  expect(res.statusCode).toBe(503);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.json()).toMatchObject({
    success: false,
    error: {
      code: 'SERVICE_UNAVAILABLE',
      details: { dependency: 'redis' },
      traceId: expect.any(String),
    },
  });
}

describe('Redis outage', () => {
  const redis = useRedis();
  const root = useSandboxRoot();

  it('answers list and resume 503 SERVICE_UNAVAILABLE with Retry-After within 1.5 s, readiness 503 within 1 s, then recovers', async () => {
    const app = await build(redis.server.url, { settings: { SANDBOX_ROOT: root.path } });
    const alice = caller(app, 'alice', 'd1');
    const sandbox = await alice.createSandbox();
    expect((await alice.post(`/api/sandbox/pause/${sandbox.id}`)).statusCode).toBe(200);

    await redis.server.kill();
    const list = await timed(() => alice.get('/api/sandbox'));
    expect(list.ms).toBeLessThan(1500);
    expectUnavailable(list.result);
    const resume = await timed(() => alice.post(`/api/sandbox/resume/${sandbox.id}`));
    expect(resume.ms).toBeLessThan(1500);
    expectUnavailable(resume.result);
    const ready = await timed(() => app.inject('/health/ready'));
    expect(ready.ms).toBeLessThan(1000);
    expect(ready.result.statusCode).toBe(503);

    await redis.server.start();
    await waitFor(async () => (await alice.get('/api/sandbox')).statusCode === 200, {
      timeoutMs: 10_000,
      message: 'the API to recover',
    });
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    await app.close();
  });

  it("answers the worker's readiness 503 within 1 s while Redis is down, 200 once it is back", async () => {
    // Connected like the worker's command connection: retrying forever, as BullMQ needs, which is
    // why a plain PING used to hang there while Redis was down.
    const redisClient = createRedis(redis.server.url, {
      name: 'sandbox-worker',
      maxRetriesPerRequest: null,
    });
    redisClient.on('error', () => undefined);
    const endpoint = await createWorkerEndpoint({ service: 'sandbox-worker', logLevel: 'silent' });
    addWorkerChecks(endpoint, {
      redis: redisClient,
      driver: createProcessDriver({ root: root.path, usageSampleTtlMs: 1000 }),
    });
    const ready = () => endpoint.inject('/health/ready');
    expect((await ready()).statusCode).toBe(200);
    await redis.server.kill();
    const down = await timed(ready);
    expect(down.ms).toBeLessThan(1000);
    expect(down.result.statusCode).toBe(503);
    expect(down.result.json().checks.redis.ok).toBe(false);
    await redis.server.start();
    await waitFor(async () => (await ready()).statusCode === 200, {
      timeoutMs: 10_000,
      message: 'the worker to recover',
    });
    await endpoint.close();
    redisClient.disconnect();
  });
});

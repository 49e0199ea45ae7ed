import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastify, platformPlugin } from '../src/index.js';

const keyspace = createKeyspace('');

describe('load shedding', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After once the heap passes its threshold; liveness and metrics still answer', async () => {
    const app = createFastify({ service: 'pressure-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'pressure-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: 'pressure-secret-long-enough' },
      // Any live process uses more than one byte of heap: under pressure from the first sample.
      // (Event-loop delay off: a sample window without a tick counts as an infinite delay.)
      protection: {
        PRESSURE_MAX_HEAP_USED_BYTES: 1,
        PRESSURE_MAX_EVENT_LOOP_DELAY_MS: 0,
        PRESSURE_RETRY_AFTER_SEC: 7,
      },
      pressureSampleIntervalMs: 20,
    });
    app.get('/work', async () => ({ success: true, data: 'done' }));
    await app.ready();
    await waitFor(async () => (await app.inject('/work')).statusCode === 503, {
      message: 'load shedding',
      timeoutMs: 5000,
    });
    const shed = await app.inject('/work');
    expect(shed.headers['retry-after']).toBe('7');
    expect(shed.json()).toMatchObject({
      success: false,
      error: {
        code: 'SERVICE_UNAVAILABLE',
        details: { reason: 'heapUsedBytes', retryAfterSeconds: 7 },
        traceId: expect.any(String),
      },
    });
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(200);
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.pressure.ok).toBe(false);
    await app.close();
  });

  it('serves normally below the thresholds', async () => {
    const app = createFastify({ service: 'pressure-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'pressure-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: 'pressure-secret-long-enough' },
      pressureSampleIntervalMs: 200,
    });
    app.get('/work', async () => ({ success: true, data: 'done' }));
    await app.ready();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await app.inject('/work')).statusCode).toBe(200);
    expect((await app.inject('/health/ready')).json().checks.pressure.ok).toBe(true);
    await app.close();
  });

  it('gives work outside the hooks (WebSocket upgrades) the refusal load shedding answers', async () => {
    const app = createFastify({ service: 'pressure-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'pressure-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: 'pressure-secret-long-enough' },
      protection: {
        PRESSURE_MAX_HEAP_USED_BYTES: 1,
        PRESSURE_MAX_EVENT_LOOP_DELAY_MS: 0,
        PRESSURE_RETRY_AFTER_SEC: 7,
      },
      pressureSampleIntervalMs: 20,
    });
    await app.ready();
    await waitFor(() => app.isUnderPressure(), { message: 'load shedding', timeoutMs: 5000 });
    expect(app.pressureRefusal()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      statusCode: 503,
      details: { reason: 'heapUsedBytes', retryAfterSeconds: 7 },
      headers: { 'retry-after': '7' },
    });
    await app.close();
  });

  it('gives work outside the hooks no refusal below the thresholds', async () => {
    const app = createFastify({ service: 'pressure-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'pressure-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: 'pressure-secret-long-enough' },
      pressureSampleIntervalMs: 200,
    });
    await app.ready();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app.pressureRefusal()).toBeUndefined();
    await app.close();
  });
});

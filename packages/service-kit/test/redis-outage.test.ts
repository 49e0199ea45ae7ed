import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastify, platformPlugin } from '../src/index.js';

const keyspace = createKeyspace('');

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe('Redis outage', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After at once while Redis is down, and recovers when it returns', async () => {
    const app = createFastify({ service: 'outage-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'outage-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: 'outage-secret-long-enough' },
    });
    app.get('/value', async () => ({ success: true, data: await app.redis.get('some-key') }));
    await app.ready();
    expect((await app.inject('/value')).statusCode).toBe(200);

    await redis.kill();
    const route = await timed(() => app.inject('/value'));
    expect(route.ms).toBeLessThan(1500);
    expect(route.result.statusCode).toBe(503);
    expect(route.result.headers['retry-after']).toMatch(/^\d+$/);
    expect(route.result.json()).toMatchObject({
      success: false,
      error: { code: 'SERVICE_UNAVAILABLE', details: { dependency: 'redis' } },
    });
    const ready = await timed(() => app.inject('/health/ready'));
    expect(ready.ms).toBeLessThan(1000);
    expect(ready.result.statusCode).toBe(503);

    await redis.start();
    await waitFor(async () => (await app.inject('/value')).statusCode === 200, {
      timeoutMs: 10_000,
      message: 'recovery',
    });
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    await app.close();
  });
});

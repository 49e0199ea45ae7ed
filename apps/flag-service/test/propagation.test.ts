import { createKeyspace } from '@switchboard/keyspace';
import { FLAGS, createFlagsClient, type FlagsClient } from '@switchboard/flags';
import type { TypedFastify } from '@switchboard/service-kit';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, user } from './api.js';
import { build, useRedis } from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

/**
 * What the sandbox service and the gateway will see: their in-process SDK (here a client on its
 * own connection) follows admin changes made through this service's API, and a second instance
 * of the service answers with the change too.
 */
describe('flag changes reach every process', () => {
  const redis = useRedis();
  let first: TypedFastify;
  let second: TypedFastify;
  let sdk: FlagsClient;
  let sdkRedis: Redis;
  beforeAll(async () => {
    first = await build(redis.server.url);
    second = await build(redis.server.url);
    sdkRedis = new Redis(redis.server.url);
    sdkRedis.on('error', () => undefined);
    sdk = createFlagsClient({ redis: sdkRedis, keyspace });
    await sdk.start();
    await sdk.ensureFlags([
      {
        key: FLAGS.SANDBOX_PAUSE_RESUME,
        enabled: true,
        description: 'Gates pause/resume/bulk/history/settings',
      },
      {
        key: FLAGS.REDIS_WEBSOCKET_SCALING,
        enabled: true,
        description: 'Redis fan-out between gateway instances',
      },
    ]);
  });
  afterAll(async () => {
    await sdk?.close();
    sdkRedis?.disconnect();
    await first?.close();
    await second?.close();
  });

  it('shows the well-known flags created by a service SDK to the admin API', async () => {
    await waitFor(
      async () =>
        (await call(first, 'GET', `/api/flags/${FLAGS.SANDBOX_PAUSE_RESUME}`)).statusCode === 200,
      { message: 'flag visible' },
    );
    const flag = (await call(first, 'GET', `/api/flags/${FLAGS.SANDBOX_PAUSE_RESUME}`)).json().data;
    expect(flag).toMatchObject({ enabled: true, version: 1, updatedBy: 'system:flags-sdk' });
  });

  it('toggles SANDBOX_PAUSE_RESUME off through the admin API: the SDK sees it within 1 s, and again after a rollback', async () => {
    expect(sdk.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME)).toBe(true);
    const off = await call(first, 'POST', `/api/flags/${FLAGS.SANDBOX_PAUSE_RESUME}/toggle`, {
      enabled: false,
      reason: 'incident',
    });
    expect(off.statusCode).toBe(200);
    await waitFor(() => !sdk.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME), {
      timeoutMs: 1_000,
      message: 'SDK sees the kill switch',
    });
    const rolled = await call(first, 'POST', `/api/flags/${FLAGS.SANDBOX_PAUSE_RESUME}/rollback`, {
      version: 1,
      reason: 'incident over',
    });
    expect(rolled.json().data).toMatchObject({ enabled: true, version: 3 });
    await waitFor(() => sdk.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME), {
      timeoutMs: 1_000,
      message: 'SDK sees the rollback',
    });
  });

  it('a change made on one instance is answered by the other within 1 s', async () => {
    await call(first, 'POST', `/api/flags/${FLAGS.REDIS_WEBSOCKET_SCALING}/toggle`, {
      enabled: false,
    });
    await waitFor(
      async () =>
        (
          await call(
            second,
            'POST',
            `/api/flags/${FLAGS.REDIS_WEBSOCKET_SCALING}/evaluate`,
            {},
            { token: user },
          )
        ).json().data.value === false,
      { timeoutMs: 1_000, message: 'second instance sees the change' },
    );
    expect(sdk.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING)).toBe(false);
    await call(second, 'POST', `/api/flags/${FLAGS.REDIS_WEBSOCKET_SCALING}/toggle`, {
      enabled: true,
    });
    await waitFor(() => sdk.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING), {
      timeoutMs: 1_000,
      message: 'SDK sees it back on',
    });
  });

  it('reports the SDK update lag on /metrics', async () => {
    const metrics = (await second.inject('/metrics')).body;
    expect(metrics).toMatch(/feature_flag_sdk_update_lag_seconds_count\{[^}]*\} [1-9]/);
  });

  it('keeps evaluating from the snapshot while Redis is down; admin writes answer 503', async () => {
    await redis.server.kill();
    try {
      const evaluation = await call(
        second,
        'POST',
        `/api/flags/${FLAGS.SANDBOX_PAUSE_RESUME}/evaluate`,
        {},
        { token: user },
      );
      expect(evaluation.statusCode).toBe(200);
      expect(evaluation.json().data.value).toBe(true);
      expect(sdk.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME)).toBe(true);
      const write = await call(first, 'POST', `/api/flags/${FLAGS.SANDBOX_PAUSE_RESUME}/toggle`, {
        enabled: false,
      });
      expect(write.statusCode).toBe(503);
      expect(write.json().error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await redis.server.start();
    }
  });
});

import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlagsHost, withServiceFlags } from '../src/index.js';

describe('withServiceFlags', () => {
  let server: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
    admin.on('error', () => undefined);
  });
  afterAll(async () => {
    admin.disconnect();
    await server.cleanup();
  });

  /** The two things withServiceFlags needs of a Fastify app, recorded. */
  function host(): FlagsHost & { closeHooks: Array<() => Promise<void>> } {
    const closeHooks: Array<() => Promise<void>> = [];
    return {
      metrics: new Registry(),
      closeHooks,
      addHook: (_name, hook) => closeHooks.push(hook),
    };
  }

  it('builds with a live client of the ensured flags, adds its metrics and closes it with the app', async () => {
    const app = host();
    let reader: { isEnabled(key: string): boolean } | undefined;
    const built = await withServiceFlags(
      'svc-test',
      { redisUrl: server.url, keyspace: createKeyspace('sf:') },
      [{ key: 'SERVICE_GATE', enabled: false, description: 'gate' }],
      async (flags) => {
        reader = flags;
        return app;
      },
    );
    expect(built).toBe(app);
    expect(reader?.isEnabled('SERVICE_GATE')).toBe(false);
    expect(app.metrics.getSingleMetric('feature_flag_sdk_update_lag_seconds')).toBeDefined();
    expect(String(await admin.call('CLIENT', 'LIST'))).toContain('name=svc-test-flags');

    expect(app.closeHooks).toHaveLength(1);
    await app.closeHooks[0]!();
    await waitFor(
      async () => !String(await admin.call('CLIENT', 'LIST')).includes('name=svc-test-flags'),
      { timeoutMs: 2000, message: 'the flags connection closed' },
    );
  });
});

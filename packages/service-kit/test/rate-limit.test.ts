import { createKeyspace } from '@switchboard/keyspace';
import { mintToken } from '@switchboard/auth';
import type { ProtectionConfig } from '@switchboard/config';
import {
  type RedisClusterServer,
  type RedisServer,
  startRedis,
  startRedisCluster,
} from '@switchboard/test-redis';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TypedFastify, createFastify, platformPlugin } from '../src/index.js';

const keyspace = createKeyspace('');

const SECRET = 'rate-limit-secret-long-enough';
const token = (sub: string, dealershipId: string) =>
  mintToken({ sub, dealershipId, role: 'user' }, { secret: SECRET });

describe('HTTP rate limits', () => {
  let redis: RedisServer;
  let direct: Redis;
  const apps: TypedFastify[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    direct = new Redis(redis.url);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await direct.flushall();
  });
  afterAll(async () => {
    direct.disconnect();
    await redis.cleanup();
  });

  async function build(protection: Partial<ProtectionConfig>) {
    const app = createFastify({ service: 'limit-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'limit-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: SECRET },
      protection,
    });
    app.get('/things', { onRequest: app.authenticate }, async () => ({ success: true, data: [] }));
    app.post('/things', { onRequest: app.authenticate }, async () => ({ success: true, data: {} }));
    app.post(
      '/things/evaluate',
      { onRequest: app.authenticate, config: { rateLimitGroup: 'evaluate' } },
      async () => ({ success: true, data: {} }),
    );
    await app.ready();
    apps.push(app);
    return app;
  }

  const get = (app: TypedFastify, bearer: string | undefined, remoteAddress = '127.0.0.1') =>
    app.inject({
      method: 'GET',
      url: '/things',
      remoteAddress,
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    });

  function expectRateLimited(res: LightMyRequestResponse, limit: number) {
    expect(res.statusCode).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.json()).toMatchObject({
      success: false,
      error: {
        code: 'RATE_LIMITED',
        details: { limit, retryAfterSeconds: retryAfter },
        traceId: expect.any(String),
      },
    });
  }

  it('answers 429 RATE_LIMITED with Retry-After and details once a principal passes its read limit', async () => {
    const app = await build({ HTTP_RATE_LIMIT_READ_MAX: 3 });
    const alice = token('alice', 'd1');
    for (let i = 0; i < 3; i += 1) expect((await get(app, alice)).statusCode).toBe(200);
    expectRateLimited(await get(app, alice), 3);
  });

  it('shares one bucket between two instances on the same Redis', async () => {
    const [one, two] = [
      await build({ HTTP_RATE_LIMIT_READ_MAX: 4 }),
      await build({ HTTP_RATE_LIMIT_READ_MAX: 4 }),
    ];
    const alice = token('alice', 'd1');
    expect((await get(one, alice)).statusCode).toBe(200);
    expect((await get(two, alice)).statusCode).toBe(200);
    expect((await get(one, alice)).statusCode).toBe(200);
    expect((await get(two, alice)).statusCode).toBe(200);
    expectRateLimited(await get(one, alice), 4);
    expectRateLimited(await get(two, alice), 4);
  });

  it('keeps the same sub in two dealerships in two buckets', async () => {
    const app = await build({ HTTP_RATE_LIMIT_READ_MAX: 2 });
    const inD1 = token('shared-sub', 'd1');
    const inD2 = token('shared-sub', 'd2');
    await get(app, inD1);
    await get(app, inD1);
    expect((await get(app, inD1)).statusCode).toBe(429);
    expect((await get(app, inD2)).statusCode).toBe(200);
  });

  it('limits each route group on its own: writes and evaluations do not spend the read budget', async () => {
    const app = await build({
      HTTP_RATE_LIMIT_READ_MAX: 2,
      HTTP_RATE_LIMIT_WRITE_MAX: 1,
      HTTP_RATE_LIMIT_EVALUATE_MAX: 5,
    });
    const alice = token('alice', 'd1');
    const post = (url: string) =>
      app.inject({
        method: 'POST',
        url,
        payload: {},
        headers: { authorization: `Bearer ${alice}` },
      });
    expect((await post('/things')).statusCode).toBe(200);
    expectRateLimited(await post('/things'), 1);
    for (let i = 0; i < 5; i += 1) expect((await post('/things/evaluate')).statusCode).toBe(200);
    expectRateLimited(await post('/things/evaluate'), 5);
    expect((await get(app, alice)).statusCode).toBe(200);
  });

  it('limits an IP before authentication: a flood without a valid token gets 429, not 401 forever', async () => {
    const app = await build({ HTTP_RATE_LIMIT_IP_MAX: 5 });
    for (let i = 0; i < 5; i += 1)
      expect((await get(app, i % 2 ? 'not-a-token' : undefined, '203.0.113.7')).statusCode).toBe(
        401,
      );
    expectRateLimited(await get(app, undefined, '203.0.113.7'), 5);
    // Even a valid token from that address waits; another address is not affected.
    expect((await get(app, token('alice', 'd1'), '203.0.113.7')).statusCode).toBe(429);
    expect((await get(app, undefined, '203.0.113.8')).statusCode).toBe(401);
  });

  it('counts a request with a valid token in its IP bucket as well as its principal bucket', async () => {
    const app = await build({ HTTP_RATE_LIMIT_IP_MAX: 4, HTTP_RATE_LIMIT_READ_MAX: 100 });
    // Two principals from one address share the address's budget; neither spends the other's.
    for (let i = 0; i < 4; i += 1)
      expect((await get(app, token(i % 2 ? 'alice' : 'bob', 'd1'), '203.0.113.9')).statusCode).toBe(
        200,
      );
    expectRateLimited(await get(app, token('carol', 'd1'), '203.0.113.9'), 4);
    const other = await get(app, token('alice', 'd1'), '203.0.113.10');
    expect(other.statusCode).toBe(200);
    // The principal's bucket spent one request per allowed call (2 from .9, 1 from .10).
    expect(other.headers['x-ratelimit-limit']).toBe('100');
    expect(other.headers['x-ratelimit-remaining']).toBe('97');
  });

  it('never limits health and metrics', async () => {
    const app = await build({ HTTP_RATE_LIMIT_IP_MAX: 1 });
    for (let i = 0; i < 4; i += 1) {
      expect((await app.inject('/health/live')).statusCode).toBe(200);
      expect((await app.inject('/health/ready')).statusCode).toBe(200);
      expect((await app.inject('/metrics')).statusCode).toBe(200);
    }
  });

  it('keeps the buckets under the rate-limit keyspace, each a single key with a TTL (any Cluster slot)', async () => {
    const app = await build({});
    await get(app, token('alice', 'd:1'));
    const keys = (await direct.keys('*')).sort();
    expect(keys).toEqual([
      'ratelimit:limit-test:ip:127.0.0.1',
      'ratelimit:limit-test:read:d:d%3A1:u:alice',
    ]);
    expect(await direct.pttl(keys[0]!)).toBeGreaterThan(0);
  });
});

describe('HTTP rate limits on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });
  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('shares buckets between two instances on redis+cluster:// (each bucket is one key, so any slot will do)', async () => {
    const build = async () => {
      const app = createFastify({ service: 'limit-cluster', logLevel: 'silent' });
      await app.register(platformPlugin, {
        service: 'limit-cluster',
        keyspace,
        redisUrl: cluster.url,
        auth: { secret: SECRET },
        protection: { HTTP_RATE_LIMIT_READ_MAX: 3, HTTP_RATE_LIMIT_IP_MAX: 5 },
      });
      app.get('/things', { onRequest: app.authenticate }, async () => ({
        success: true,
        data: [],
      }));
      await app.ready();
      return app;
    };
    const [one, two] = [await build(), await build()];
    const alice = { authorization: `Bearer ${token('alice', 'd1')}` };
    const statuses: number[] = [];
    for (const app of [one, two, one, two])
      statuses.push((await app.inject({ url: '/things', headers: alice })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The per-IP bucket is shared on the Cluster as well: the fifth request from this address
    // passes (to a 401), the sixth does not.
    expect((await one.inject({ url: '/things' })).statusCode).toBe(401);
    expect((await two.inject({ url: '/things' })).statusCode).toBe(429);
    await Promise.all([one.close(), two.close()]);
  });
});

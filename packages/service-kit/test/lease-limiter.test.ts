import { createKeyspace } from '@switchboard/keyspace';
import { mintToken } from '@switchboard/auth';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TypedFastify, createFastify, platformPlugin } from '../src/index.js';
import { LeaseLimiter } from '../src/lease-limiter.js';

const keyspace = createKeyspace('');
const SECRET = 'lease-limit-secret-long-enough';

describe('leased rate limits', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const apps: TypedFastify[] = [];
  const client = () => {
    const created = new Redis(redis.url);
    clients.push(created);
    return created;
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await clients[0]?.flushall();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis.cleanup();
  });

  it('never admits more than the limit over three instances spending one bucket at once, and admits all of it', async () => {
    const limiters = [1, 2, 3].map(
      () => new LeaseLimiter({ redis: client(), windowMs: 30_000, leaseShare: 1 / 10 }),
    );
    // 3 × 150 concurrent requests for a limit of 200 (leases of up to 20).
    const decisions = await Promise.all(
      limiters.flatMap((limiter) =>
        Array.from({ length: 150 }, () => Promise.resolve(limiter.spend('bucket:shared', 200))),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(200);
    expect(Number(await clients[0]!.get('bucket:shared'))).toBe(200);
    const refused = decisions.find((d) => !d.allowed)!;
    expect(refused).toMatchObject({ limit: 200, remaining: 0 });
    expect(refused.resetMs).toBeGreaterThan(0);
    expect(refused.resetMs).toBeLessThanOrEqual(30_000);
  });

  it('asks Redis once per lease, not once per request', async () => {
    const admin = client();
    const limiter = new LeaseLimiter({ redis: client(), windowMs: 30_000 });
    await admin.config('RESETSTAT');
    for (let i = 0; i < 100; i += 1)
      expect((await limiter.spend('bucket:leased', 1000)).allowed).toBe(true);
    // Leases of 1000 / 20 = 50 requests: two script calls (EVAL loads it, then EVALSHA).
    const stats = String(await admin.info('commandstats'));
    const calls = [...stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
    expect(calls).toBeLessThanOrEqual(3);
    expect(Number(await admin.get('bucket:leased'))).toBe(100);
  });

  it('gives the budget back when the window ends', async () => {
    const limiter = new LeaseLimiter({ redis: client(), windowMs: 300 });
    for (let i = 0; i < 3; i += 1)
      expect((await limiter.spend('bucket:window', 3)).allowed).toBe(true);
    expect((await limiter.spend('bucket:window', 3)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await limiter.spend('bucket:window', 3)).allowed).toBe(true);
  });

  it('keeps the leases of a flood of distinct clients bounded, and drops ended windows', async () => {
    const limiter = new LeaseLimiter({ redis: client(), windowMs: 200, maxBuckets: 50 });
    for (let i = 0; i < 400; i += 1) await limiter.spend(`bucket:ip:${i}`, 100);
    expect(limiter.size).toBe(50);
    await new Promise((resolve) => setTimeout(resolve, 250));
    for (let i = 0; i < 5; i += 1) await limiter.spend(`bucket:late:${i}`, 100);
    // Every ended window met on the way out is gone; only the live ones stay.
    expect(limiter.size).toBeLessThan(50);
  });

  async function build(protection: Record<string, number | boolean>) {
    const app = createFastify({ service: 'lease-test', logLevel: 'silent' });
    await app.register(platformPlugin, {
      service: 'lease-test',
      keyspace,
      redisUrl: redis.url,
      auth: { secret: SECRET },
      protection,
    });
    app.get('/things', { onRequest: app.authenticate }, async () => ({ success: true, data: [] }));
    await app.ready();
    apps.push(app);
    return app;
  }

  it('two instances on one Redis never admit more than a principal limit together, and refuse the rest with 429 RATE_LIMITED', async () => {
    const [one, two] = [
      await build({ HTTP_RATE_LIMIT_READ_MAX: 60 }),
      await build({ HTTP_RATE_LIMIT_READ_MAX: 60 }),
    ];
    const headers = {
      authorization: `Bearer ${mintToken({ sub: 'alice', dealershipId: 'd1', role: 'user' }, { secret: SECRET })}`,
    };
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? one : two).inject({ url: '/things', headers }),
      ),
    );
    const statuses = responses.map((res) => res.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    const refused = responses.find((res) => res.statusCode === 429)!;
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({
      success: false,
      error: { code: 'RATE_LIMITED', details: { limit: 60, retryAfterSeconds: retryAfter } },
    });
  });

  it('lets requests through while Redis cannot be asked', async () => {
    const app = await build({ HTTP_RATE_LIMIT_IP_MAX: 5 });
    await redis.stop();
    try {
      // A fresh address holds no lease: its spend needs Redis, which is away.
      const res = await app.inject({ url: '/things', remoteAddress: '203.0.113.50' });
      expect(res.statusCode).toBe(401);
    } finally {
      await redis.restart();
    }
  });
});

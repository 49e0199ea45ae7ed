import { type RedisServer, freePort, startRedis } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAnswers } from '../src/redis-provision.js';

describe('redisAnswers', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it('is true for a Redis that answers PING and false, at once, where nothing listens', async () => {
    expect(await redisAnswers(server.url)).toBe(true);
    const started = Date.now();
    expect(await redisAnswers(`redis://127.0.0.1:${await freePort()}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

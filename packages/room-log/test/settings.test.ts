import { ConfigError, loadConfig } from '@switchboard/config';
import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomLogEnv, createPublisher, roomLogSettings } from '../src/index.js';

describe('room-log settings', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.cleanup();
  });

  it('rejects a bad value with an error naming the variable instead of falling back to the default', () => {
    const load = () =>
      loadConfig(RoomLogEnv, {
        OFFLINE_QUEUE_MAX: 'many',
        OFFLINE_QUEUE_TTL_SEC: '0',
        INSTANCE_STALE_MS: '5000',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/OFFLINE_QUEUE_MAX .*"many".*OFFLINE_QUEUE_TTL_SEC/);
  });

  it('defaults every setting when the environment leaves it out', () => {
    expect(roomLogSettings(loadConfig(RoomLogEnv, {}))).toEqual({
      instanceStaleMs: 5_000,
      offlineQueue: { maxLength: 100, ttlSec: 86_400 },
    });
  });

  it('bounds the offline queue of a publisher built from the parsed settings', async () => {
    const ks = createKeyspace('settings:');
    const settings = roomLogSettings(loadConfig(RoomLogEnv, { OFFLINE_QUEUE_MAX: '2' }));
    const publisher = createPublisher(redis, { keyspace: ks, offlineJobs: false, ...settings });
    const results = [];
    for (let n = 0; n < 3; n += 1)
      results.push(
        await publisher.publish({
          room: 'user:u1',
          dealershipId: 'A',
          event: 'ai.suggestion',
          data: { suggestionId: `s${n}`, content: 'c' },
        }),
      );
    expect(results.map((result) => result.dropped)).toEqual([0, 0, 1]);
    expect(await redis.llen(ks.realtime.offlineQueue('A', 'u1'))).toBe(2);
    await publisher.close();
  });
});

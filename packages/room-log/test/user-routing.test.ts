import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher } from '../src/index.js';

describe('user-room routing and offline jobs', () => {
  let server: RedisServer;
  let redis: Redis;
  let jobs: Queue;
  const ks = createKeyspace('r:');

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    jobs = new Queue(ks.queues.offlineDeliveries, {
      connection: redis,
      prefix: ks.queues.bullmqPrefix,
    });
  });
  afterAll(async () => {
    await jobs.close();
    redis.disconnect();
    await server.cleanup();
  });

  const suggestion = { suggestionId: 's', content: 'c' };
  const connectedOn = async (
    userId: string,
    instanceId: string,
    heartbeatAgoMs: number | undefined,
  ) => {
    await redis.zadd(
      ks.realtime.userConnections('A', userId),
      Date.now(),
      `${instanceId} client-of-${userId}`,
    );
    if (heartbeatAgoMs !== undefined)
      await redis.zadd(ks.realtime.instances(), Date.now() - heartbeatAgoMs, instanceId);
  };

  it('routes nothing to an instance whose heartbeat is stale, even while its connection entries look fresh', async () => {
    const publisher = createPublisher(redis, {
      keyspace: ks,
      instanceStaleMs: 2_000,
      offlineJobs: false,
    });
    await connectedOn('crashed-user', 'gw-crashed', 10_000);
    await connectedOn('live-user', 'gw-live', 0);
    // An instance in single-instance mode has no ws:instances entry: its connections still count.
    await connectedOn('single-user', 'gw-single', undefined);
    const route = async (userId: string) =>
      (
        await publisher.publish({
          room: `user:${userId}`,
          dealershipId: 'A',
          event: 'ai.suggestion',
          data: suggestion,
        })
      ).route;
    expect(await route('crashed-user')).toBe('queued');
    expect(await route('live-user')).toBe('direct');
    expect(await route('single-user')).toBe('direct');
    expect(await redis.llen(ks.realtime.offlineQueue('A', 'crashed-user'))).toBe(1);
    await publisher.close();
  });

  it('removes the BullMQ job of every message the queue drops for its max length', async () => {
    const publisher = createPublisher(redis, { keyspace: ks, offlineQueue: { maxLength: 2 } });
    const ids: string[] = [];
    for (let n = 0; n < 6; n += 1)
      ids.push(
        (
          await publisher.publish({
            room: 'user:offline-user',
            dealershipId: 'A',
            event: 'ai.suggestion',
            data: suggestion,
          })
        ).id,
      );
    expect(await jobs.getDelayedCount()).toBe(2);
    expect((await jobs.getDelayed()).map((job) => job.id).sort()).toEqual(ids.slice(4).sort());
    await publisher.close();
  });
});

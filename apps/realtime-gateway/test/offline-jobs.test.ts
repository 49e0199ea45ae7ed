import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway, useRedis } from './helper.js';

const ks = createKeyspace('');
const usedMemory = async (redis: Redis) =>
  Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);

describe('offline delivery jobs live as long as their message', () => {
  const redis = useRedis();
  let gateway: RunningGateway;
  let inspect: Redis;
  let jobs: Queue;

  beforeAll(async () => {
    gateway = await startGateway(redis.server.url, {
      instanceId: 'gw-offline-jobs',
      offlineQueueMax: 3,
    });
    inspect = new Redis(redis.server.url);
    jobs = new Queue(ks.queues.offlineDeliveries, {
      connection: inspect,
      prefix: ks.queues.bullmqPrefix,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await jobs.close();
    inspect.disconnect();
  });

  const suggestion = { suggestionId: 's', content: 'c' };
  const backlogMetric = async () => {
    const text = await (await gateway.app.inject('/metrics')).body;
    return /^websocket_queued_messages(?:{[^}]*})? (\d+)/m.exec(text)?.[1];
  };

  it('removes the job once its message has expired (OFFLINE_QUEUE_TTL_SEC)', async () => {
    const publisher = createPublisher(inspect, { keyspace: ks, offlineQueue: { ttlSec: 1 } });
    const { id, route } = await publisher.publish({
      room: 'user:expiring',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: suggestion,
    });
    expect(route).toBe('queued');
    expect(await (await jobs.getJob(id))?.getState()).toBe('delayed');
    await waitFor(async () => (await jobs.getJob(id)) === undefined, {
      message: 'the expired job removed',
      timeoutMs: 8_000,
      intervalMs: 100,
    });
    const counts = await jobs.getJobCounts('delayed', 'waiting', 'active', 'completed', 'failed');
    expect(counts).toMatchObject({ delayed: 0, waiting: 0, active: 0, completed: 0, failed: 0 });
    await publisher.close();
  });

  it('keeps Redis keys and memory bounded after 10 000 messages to offline users with OFFLINE_QUEUE_MAX 3, and reports the backlog as a gauge', async () => {
    const publisher = createPublisher(inspect, { keyspace: ks, offlineQueue: { maxLength: 3 } });
    const users = 100;
    const perUser = 100;
    const keysBefore = await inspect.dbsize();
    const memoryBefore = await usedMemory(inspect);
    for (let round = 0; round < perUser; round += 1) {
      await Promise.all(
        Array.from({ length: users }, (_, user) =>
          publisher.publish({
            room: `user:offline-${user}`,
            dealershipId: 'A',
            event: 'ai.suggestion',
            data: suggestion,
          }),
        ),
      );
    }
    const counts = await jobs.getJobCounts('delayed', 'waiting');
    expect(counts['delayed']! + counts['waiting']!).toBe(users * 3);
    // Per user: its queue and the room's seq, epoch, history and recent ids; per kept message: one job.
    const keysAdded = (await inspect.dbsize()) - keysBefore;
    expect(keysAdded).toBeLessThanOrEqual(users * 5 + users * 3 + 10);
    // The room histories (every message, by design) dominate; 10 000 leaked jobs would add ~10 MB.
    const memoryAdded = (await usedMemory(inspect)) - memoryBefore;
    console.warn(
      `10 000 offline messages: +${keysAdded} keys, +${(memoryAdded / 1e6).toFixed(1)} MB`,
    );
    expect(memoryAdded).toBeLessThan(8_000_000);
    expect(await backlogMetric()).toBe(String(users * 3));
    await publisher.close();
  }, 60_000);
});

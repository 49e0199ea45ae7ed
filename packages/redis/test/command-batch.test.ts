import {
  type RedisClusterServer,
  type RedisServer,
  startRedis,
  startRedisCluster,
} from '@switchboard/test-redis';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandBatch, createRedis, type RedisClient } from '../src/index.js';

// Keys that land in different slots (and so, on 3 masters, on different nodes).
const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];

describe('commandBatch', () => {
  let cluster: RedisClusterServer;
  let single: RedisServer;
  beforeAll(async () => {
    [cluster, single] = await Promise.all([startRedisCluster(3), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all([cluster?.cleanup(), single?.cleanup()]);
  });

  const roundTrip = async (client: RedisClient) => {
    const write = commandBatch(client);
    for (const [index, key] of keys.entries()) write.set(key, String(index)).pexpire(key, 60_000);
    const written = await write.exec();
    expect(written).toHaveLength(keys.length * 2);
    expect(written!.every(([error]) => error === null)).toBe(true);
    const read = commandBatch(client);
    for (const key of keys) read.get(key);
    read.hgetall('alpha'); // wrong type: its error stays in its own slot of the answer
    const replies = (await read.exec())!;
    expect(replies.slice(0, keys.length).map(([, value]) => value)).toEqual(
      keys.map((_, index) => String(index)),
    );
    expect(replies.at(-1)?.[0]?.message).toMatch(/WRONGTYPE/);
  };

  it('sends commands over keys of every node of a real Cluster, answering in order', async () => {
    const client = createRedis(cluster.url);
    try {
      expect(client).toBeInstanceOf(Cluster);
      // A plain pipeline over these keys is what a Cluster refuses.
      await expect(
        client.pipeline().get('alpha').get('bravo').get('charlie').get('delta').exec(),
      ).rejects.toThrow(/same slots allocation group/);
      await roundTrip(client);
    } finally {
      client.disconnect();
    }
  });

  it('is a plain pipeline on a single node', async () => {
    const client = createRedis(single.url);
    try {
      expect(commandBatch(client).constructor.name).toBe('Pipeline');
      await roundTrip(client);
    } finally {
      client.disconnect();
    }
  });
});

import {
  type RedisClusterServer,
  type RedisServer,
  startRedis,
  startRedisCluster,
} from '@switchboard/test-redis';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineScript } from '../src/index.js';

class Refused extends Error {}
const pairKeys = defineScript(new URL('./lua/pair-keys-2.lua', import.meta.url), (reply) => {
  const [status, first, second] = reply as [string, string?, string?];
  if (status === 'refused') throw new Refused('blank value');
  return { first, second };
});

describe('defineScript', () => {
  let server: RedisServer;
  let cluster: RedisClusterServer;
  const clients: Array<Redis | Cluster> = [];

  beforeAll(async () => {
    [server, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all([server?.cleanup(), cluster?.cleanup()]);
  });
  const single = () => {
    const client = new Redis(server.url);
    clients.push(client);
    return client;
  };

  it('calls the script with the number of keys its name gives, on every client it meets', async () => {
    const [a, b] = [single(), single()];
    expect(await pairKeys(a, ['k1', 'k2'], ['v'])).toEqual({ first: 'v', second: 'v' });
    expect(await pairKeys(b, ['k3', 'k4'], [7])).toEqual({ first: '7', second: '7' });
    expect(await b.mget('k1', 'k2', 'k3', 'k4')).toEqual(['v', 'v', '7', '7']);
  });

  it('refuses a call with the wrong number of keys before anything reaches Redis', async () => {
    const client = single();
    await expect(pairKeys(client, ['only-one'], ['v'])).rejects.toThrow(
      'pair-keys-2.lua takes 2 keys, got 1',
    );
    expect(await client.exists('only-one')).toBe(0);
  });

  it('maps a refusal in the reply to the error its decoder throws', async () => {
    await expect(pairKeys(single(), ['r1', 'r2'], [''])).rejects.toBeInstanceOf(Refused);
  });

  it('refuses a script file whose name does not say its number of keys', () => {
    expect(() => defineScript(new URL('./lua/unnamed.lua', import.meta.url))).toThrow(
      '<name>-<numberOfKeys>.lua',
    );
  });

  it('inlines the files a script includes, so scripts can share a core', async () => {
    const tagged = defineScript<string>(new URL('./lua/tag-key-1.lua', import.meta.url));
    const client = single();
    expect(await tagged(client, ['inc:a'], ['x'])).toBe('tagged:x');
    expect(await client.get('inc:a')).toBe('tagged:x');
  });

  it('runs on a Redis Cluster when the keys share a slot', async () => {
    const client = new Cluster(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    );
    clients.push(client);
    expect(await pairKeys(client, ['{t}:a', '{t}:b'], ['c'])).toEqual({ first: 'c', second: 'c' });
  });
});

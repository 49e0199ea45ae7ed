import { createKeyspace } from '@switchboard/keyspace';
import { type RedisServer, startRedis } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserPresence, userConnectionMember } from '../src/index.js';

describe('createUserPresence', () => {
  let server: RedisServer;
  let redis: Redis;
  const ks = createKeyspace('p:');

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.cleanup();
  });

  /** A connection as the gateway registers it: the user's connection set, and its instance's heartbeat. */
  const connect = async (
    d: string,
    userId: string,
    instanceId: string,
    options: { seenAgoMs?: number; heartbeatAgoMs?: number } = {},
  ) => {
    await redis.zadd(
      ks.realtime.userConnections(d, userId),
      Date.now() - (options.seenAgoMs ?? 0),
      userConnectionMember(instanceId, `client-${userId}-${instanceId}`),
    );
    if (options.heartbeatAgoMs !== undefined)
      await redis.zadd(ks.realtime.instances(), Date.now() - options.heartbeatAgoMs, instanceId);
  };

  it('counts live connections on live gateways only, per dealership', async () => {
    const presence = createUserPresence(redis, ks, {
      staleMs: 2_000,
      registryStaleMs: 10_000,
      cacheMs: 0,
    });
    await connect('A', 'live', 'gw-1', { heartbeatAgoMs: 0 });
    await connect('A', 'twice', 'gw-1', { heartbeatAgoMs: 0 });
    await connect('A', 'twice', 'gw-single');
    await connect('A', 'crashed', 'gw-dead', { heartbeatAgoMs: 60_000 });
    await connect('A', 'expired', 'gw-1', { seenAgoMs: 60_000 });
    expect(await presence.onlineOf('A', ['live', 'twice', 'crashed', 'expired', 'never'])).toEqual(
      new Set(['live', 'twice']),
    );
    expect(await presence.connectionCount('A', 'twice')).toBe(2);
    expect(await presence.isOnline('B', 'live')).toBe(false);
    await redis.zrem(
      ks.realtime.userConnections('A', 'live'),
      userConnectionMember('gw-1', 'client-live-gw-1'),
    );
    expect(await presence.isOnline('A', 'live')).toBe(false);
    expect(await presence.onlineOf('A', [])).toEqual(new Set());
  });
});

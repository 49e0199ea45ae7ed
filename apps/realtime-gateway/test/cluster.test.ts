import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { type RedisClient, createRedis } from '@switchboard/redis';
import { type RedisClusterServer, startRedisCluster, waitFor } from '@switchboard/test-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, connect, startGateway, tokenFor } from './helper.js';

const ks = createKeyspace('');

// REDIS_URL=redis+cluster://…: every script, MULTI and batch the gateway sends must keep to the
// slots a Cluster allows. Two instances on a real 3-master Redis Cluster.
describe('gateways on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let a: RunningGateway;
  let b: RunningGateway;
  let redis: RedisClient;
  let publisher: Publisher;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    // A short registry TTL: heartbeats (one batch over every connection) run every 300 ms.
    a = await startGateway(cluster.url, { instanceId: 'gw-cl-a', registryTtlMs: 900 });
    b = await startGateway(cluster.url, { instanceId: 'gw-cl-b', registryTtlMs: 900 });
    redis = createRedis(cluster.url);
    publisher = createPublisher(redis, { keyspace: ks });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await publisher?.close();
    redis?.disconnect();
    await cluster?.cleanup();
  });

  it('fans out a room across instances and keeps its registry writes healthy over heartbeats', async () => {
    const clients = await Promise.all([
      connect(a.url, tokenFor('cu1', 'A')),
      connect(b.url, tokenFor('cu2', 'A')),
      connect(b.url, tokenFor('cu3', 'A')),
    ]);
    for (const client of clients)
      expect((await client.subscribe('project:cl')).type).toBe('subscribed');
    for (let i = 0; i < 5; i += 1)
      await publisher.publish({
        room: 'project:cl',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 'cl' },
      });
    await waitFor(() => clients.every((client) => client.events('project:cl').length === 5), {
      message: 'five events on every client',
    });
    for (const client of clients)
      expect(client.events('project:cl').map((frame) => frame['seq'])).toEqual([1, 2, 3, 4, 5]);

    const heartbeats = (gateway: RunningGateway) =>
      gateway.app.redis.zscore(ks.realtime.instances(), gateway.app.gateway.instanceId);
    const before = Number(await heartbeats(b));
    await waitFor(async () => Number(await heartbeats(b)) > before + 600, {
      message: 'two more heartbeats of gw-cl-b',
    });
    for (const gateway of [a, b]) {
      expect(gateway.app.gateway.breaker.state).toBe('closed');
      expect((await gateway.app.inject('/health/websocket')).statusCode).toBe(200);
    }
    const clientId = String(clients[1]!.frames[0]?.['clientId']);
    expect(await redis.hget(ks.realtime.connection(clientId), 'instance')).toBe('gw-cl-b');
    expect(await redis.zcard(ks.realtime.userConnections('A', 'cu2'))).toBe(1);
    clients[1]!.close();
    await waitFor(async () => (await redis.exists(ks.realtime.connection(clientId))) === 0, {
      message: 'entry removed on close',
    });
    for (const client of clients) client.close();
  });

  it('routes user rooms: the offline queue on connect, then live over ws:direct', async () => {
    const queued = await publisher.publish({
      room: 'user:cu-off',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: { suggestionId: '1', content: 'queued' },
    });
    expect(queued.route).toBe('queued');
    const client = await connect(a.url, tokenFor('cu-off', 'A'));
    await client.waitFor((frame) => frame['id'] === queued.id, 'queued message on connect');
    expect(await redis.exists(ks.realtime.offlineQueue('A', 'cu-off'))).toBe(0);
    const live = await publisher.publish({
      room: 'user:cu-off',
      dealershipId: 'A',
      event: 'ai.suggestion',
      data: { suggestionId: '2', content: 'live' },
    });
    expect(live.route).toBe('direct');
    await client.waitFor((frame) => frame['id'] === live.id, 'live message');
    expect(client.events('user:cu-off').map((frame) => frame['seq'])).toEqual([1, 2]);
    client.close();
  });

  it('resumes on the other instance from the position the first one recorded', async () => {
    const token = tokenFor('cu-res', 'A');
    const first = await connect(a.url, token);
    await first.subscribe('project:res');
    for (let i = 0; i < 3; i += 1)
      await publisher.publish({
        room: 'project:res',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 'res' },
      });
    await waitFor(() => first.events('project:res').length === 3, { message: 'three events' });
    const epoch = String(first.events('project:res').at(-1)?.['epoch']);
    first.socket.terminate();
    await first.closed;
    for (let i = 0; i < 2; i += 1)
      await publisher.publish({
        room: 'project:res',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 'res' },
      });
    const second = await connect(b.url, token);
    second.send({
      type: 'resume',
      positions: { 'project:res': 3 },
      epochs: { 'project:res': epoch },
    });
    expect(await second.waitFor((frame) => frame.type === 'resumed')).toMatchObject({
      recovered: true,
      replayed: 2,
    });
    expect(second.events('project:res').map((frame) => frame['seq'])).toEqual([4, 5]);
    expect(await redis.xlen(ks.realtime.roomHistory(roomKey('A', 'project:res')))).toBe(5);
    second.close();
  });
});

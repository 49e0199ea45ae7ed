import { PublishedEvent, roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import {
  type RedisClusterServer,
  type RedisServer,
  startRedis,
  startRedisCluster,
  waitFor,
} from '@switchboard/test-redis';
import { Value } from '@sinclair/typebox/value';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventError, createPublisher } from '../src/index.js';

describe('publisher', () => {
  let server: RedisServer;
  let redis: Redis;
  let subscriber: Redis;
  const ks = createKeyspace('t:');

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    subscriber = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    subscriber.disconnect();
    await server.cleanup();
  });

  const paused = (sandboxId: string) => ({
    sandboxId,
    dealershipId: 'd1',
    state: 'paused',
    source: 'api',
    at: new Date().toISOString(),
  });

  it('appends an id a room already holds only once, in rooms and user rooms, and publishes it once', async () => {
    const publisher = createPublisher(redis, { keyspace: ks, offlineJobs: false });
    const heard: string[] = [];
    const channel = ks.realtime.roomChannel(roomKey('d1', 'sandbox:once'));
    await subscriber.subscribe(channel);
    subscriber.on('message', (from, message) => from === channel && heard.push(message));
    for (const room of ['sandbox:once', 'user:once']) {
      const input = {
        room,
        dealershipId: 'd1',
        event: 'sandbox.paused',
        data: paused('once'),
        id: `evt-${room}`,
      } as const;
      const first = await publisher.publish(input);
      const retried = await publisher.publish(input);
      expect(retried.seq).toBe(first.seq);
      expect(await redis.xlen(ks.realtime.roomHistory(roomKey('d1', room)))).toBe(1);
      const next = await publisher.publish({ ...input, id: `next-${room}` });
      expect(next.seq).toBe(first.seq + 1);
    }
    // The user room's copy waits in the offline queue once, not twice.
    expect(await redis.llen(ks.realtime.offlineQueue('d1', 'once'))).toBe(2);
    await waitFor(() => heard.length === 2, { message: 'two messages on the room channel' });
    expect(heard.map((raw) => JSON.parse(raw).id)).toEqual([
      'evt-sandbox:once',
      'next-sandbox:once',
    ]);
    await subscriber.unsubscribe(channel);
  });

  it('publishes on the tenant-scoped room channel with increasing seq and a stable epoch', async () => {
    const publisher = createPublisher(redis, { keyspace: ks });
    const received: string[] = [];
    const channel = ks.realtime.roomChannel(roomKey('d1', 'sandbox:s1'));
    await subscriber.subscribe(channel);
    subscriber.on('message', (_channel, message) => received.push(message));

    const first = await publisher.publish({
      room: 'sandbox:s1',
      dealershipId: 'd1',
      event: 'sandbox.paused',
      data: paused('s1'),
    });
    const second = await publisher.publish({
      room: 'sandbox:s1',
      dealershipId: 'd1',
      event: 'sandbox.resumed',
      data: { ...paused('s1'), state: 'active' },
    });
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(second.epoch).toBe(first.epoch);

    await waitFor(() => received.length === 2, { message: 'two messages' });
    const messages = received.map((raw) => JSON.parse(raw));
    for (const message of messages) expect(Value.Check(PublishedEvent, message)).toBe(true);
    expect(messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(messages[0]).toMatchObject({
      room: 'sandbox:s1',
      dealershipId: 'd1',
      event: 'sandbox.paused',
      id: first.id,
    });
    await subscriber.unsubscribe(channel);
  });

  it('refuses an event the catalogue does not allow, before anything reaches Redis', async () => {
    const publisher = createPublisher(redis, { keyspace: ks });
    const seqKey = ks.realtime.roomSeq(roomKey('d1', 'sandbox:bad'));
    const bad = [
      {
        room: 'sandbox:bad',
        dealershipId: 'd1',
        event: 'sandbox.paused',
        data: { sandboxId: 'bad' },
      },
      { room: 'sandbox:bad', dealershipId: 'd1', event: 'sandbox.exploded', data: {} },
      { room: 'sandbox bad', dealershipId: 'd1', event: 'sandbox.paused', data: paused('bad') },
    ];
    for (const input of bad) {
      // Typed callers cannot write these; untyped ones (JSON from elsewhere) can.
      await expect(publisher.publish(input as never)).rejects.toBeInstanceOf(InvalidEventError);
    }
    expect(await redis.exists(seqKey)).toBe(0);
    await expect(
      publisher.publish({
        room: 'sandbox:bad',
        dealershipId: 'd1',
        event: 'sandbox.paused',
        data: { sandboxId: 'bad' },
      } as never),
    ).rejects.toThrow(/sandbox\.paused does not match its schema/);
  });

  it('keeps each room in its bounded history for resume', async () => {
    const publisher = createPublisher(redis, { keyspace: ks, historySize: 10 });
    for (let i = 0; i < 50; i += 1) {
      await publisher.publish({
        room: 'project:p1',
        dealershipId: 'd2',
        event: 'project.updated',
        data: { projectId: 'p1' },
      });
    }
    const history = await redis.xrange(
      ks.realtime.roomHistory(roomKey('d2', 'project:p1')),
      '-',
      '+',
    );
    expect(history.length).toBeGreaterThanOrEqual(10);
    expect(history.length).toBeLessThan(50);
    expect(history.at(-1)?.[0]).toBe('50-0');
  });

  it('gives a room a new epoch when its history is lost', async () => {
    const publisher = createPublisher(redis, { keyspace: ks });
    const before = await publisher.publish({
      room: 'agent:a1',
      dealershipId: 'd1',
      event: 'agent.connected',
      data: { agentId: 'a1' },
    });
    await redis.del(ks.realtime.roomSeq(roomKey('d1', 'agent:a1')));
    const after = await publisher.publish({
      room: 'agent:a1',
      dealershipId: 'd1',
      event: 'agent.connected',
      data: { agentId: 'a1' },
    });
    expect(after.seq).toBe(1);
    expect(after.epoch).not.toBe(before.epoch);
  });

  it('sends the global room over ws:broadcast', async () => {
    const publisher = createPublisher(redis, { keyspace: ks });
    const received: string[] = [];
    const listener = new Redis(server.url);
    await listener.subscribe(ks.realtime.broadcastChannel());
    listener.on('message', (_c, m) => received.push(m));
    await publisher.publish({
      room: 'global',
      dealershipId: 'd1',
      event: 'flag.toggled',
      data: { key: 'F', version: 2, actor: 'a', at: 'now', enabled: false },
    });
    await waitFor(() => received.length === 1, { message: 'broadcast' });
    listener.disconnect();
  });
  it('routes user rooms: queued (and a BullMQ job) with no live connection, direct to the instances holding one', async () => {
    const publisher = createPublisher(redis, {
      keyspace: ks,
      offlineQueue: { maxLength: 2, ttlSec: 60 },
    });
    const queued = await publisher.publish({
      room: 'user:u7',
      dealershipId: 'd1',
      event: 'ai.suggestion',
      data: { suggestionId: 's', content: 'c' },
    });
    expect(queued).toMatchObject({ route: 'queued', dropped: 0, seq: 1 });
    expect(await redis.llen(ks.realtime.offlineQueue('d1', 'u7'))).toBe(1);
    expect(await redis.ttl(ks.realtime.offlineQueue('d1', 'u7'))).toBeGreaterThan(0);
    const jobKeys = await redis.keys(`${ks.queues.bullmqPrefix}:${ks.queues.offlineDeliveries}:*`);
    expect(jobKeys.length).toBeGreaterThan(0);
    await publisher.publish({
      room: 'user:u7',
      dealershipId: 'd1',
      event: 'ai.suggestion',
      data: { suggestionId: 's', content: 'c' },
    });
    const third = await publisher.publish({
      room: 'user:u7',
      dealershipId: 'd1',
      event: 'ai.suggestion',
      data: { suggestionId: 's', content: 'c' },
    });
    expect(third.dropped).toBe(1);
    expect(await redis.llen(ks.realtime.offlineQueue('d1', 'u7'))).toBe(2);

    const listener = new Redis(server.url);
    const received: string[] = [];
    await listener.subscribe(ks.realtime.directChannel('gw-1'));
    listener.on('message', (_c, m) => received.push(m));
    await redis.zadd(ks.realtime.userConnections('d1', 'u8'), Date.now(), 'gw-1 client-1');
    await redis.zadd(
      ks.realtime.userConnections('d1', 'u8'),
      Date.now() - 120_000,
      'gw-dead client-2',
    );
    const direct = await publisher.publish({
      room: 'user:u8',
      dealershipId: 'd1',
      event: 'ai.suggestion',
      data: { suggestionId: 's', content: 'c' },
    });
    expect(direct.route).toBe('direct');
    await waitFor(() => received.length === 1, { message: 'direct message' });
    expect(JSON.parse(received[0]!)).toMatchObject({ id: direct.id, room: 'user:u8', seq: 1 });
    expect(await redis.zrange(ks.realtime.userConnections('d1', 'u8'), 0, -1)).toEqual([
      'gw-1 client-1',
    ]);
    expect(await redis.exists(ks.realtime.offlineQueue('d1', 'u8'))).toBe(0);
    listener.disconnect();
    await publisher.close();
  });
  it('opens its circuit breaker after consecutive failures and then fails fast', async () => {
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    dead.on('error', () => undefined);
    const publisher = createPublisher(dead, {
      keyspace: ks,
      circuitBreaker: { failures: 2, halfOpenAfterMs: 60_000 },
    });
    const attempt = () =>
      publisher.publish({
        room: 'project:p',
        dealershipId: 'd1',
        event: 'project.updated',
        data: { projectId: 'p' },
      });
    await expect(attempt()).rejects.toThrow();
    await expect(attempt()).rejects.toThrow();
    expect(publisher.circuitState()).toBe('open');
    await expect(attempt()).rejects.toThrow(/circuit/i);
    dead.disconnect();
  });
});

describe('publisher on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let redis: Cluster;
  let listener: Cluster;
  const ks = createKeyspace('');
  const nodes = () => cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    redis = new Cluster(nodes());
    listener = new Cluster(nodes());
  });
  afterAll(async () => {
    redis?.disconnect();
    listener?.disconnect();
    await cluster?.cleanup();
  });

  it('runs every publish script in one slot: rooms, and user rooms both queued and direct', async () => {
    const publisher = createPublisher(redis, { keyspace: ks });
    const room = await publisher.publish({
      room: 'project:c1',
      dealershipId: 'd1',
      event: 'project.updated',
      data: { projectId: 'c1' },
    });
    expect(room).toMatchObject({ seq: 1, route: 'room' });
    expect(await redis.xlen(ks.realtime.roomHistory(roomKey('d1', 'project:c1')))).toBe(1);

    const queued = await publisher.publish({
      room: 'user:cu1',
      dealershipId: 'd1',
      event: 'ai.suggestion',
      data: { suggestionId: 's', content: 'c' },
    });
    expect(queued).toMatchObject({ seq: 1, route: 'queued' });
    expect(await redis.llen(ks.realtime.offlineQueue('d1', 'cu1'))).toBe(1);

    const received: string[] = [];
    await listener.subscribe(ks.realtime.directChannel('gw-c'));
    listener.on('message', (_channel, message) => received.push(message));
    await redis.zadd(ks.realtime.userConnections('d1', 'cu2'), Date.now(), 'gw-c client-1');
    const direct = await publisher.publish({
      room: 'user:cu2',
      dealershipId: 'd1',
      event: 'ai.suggestion',
      data: { suggestionId: 's', content: 'c' },
    });
    expect(direct.route).toBe('direct');
    await waitFor(() => received.length === 1, { message: 'direct message through the cluster' });
    expect(JSON.parse(received[0]!)).toMatchObject({ id: direct.id, room: 'user:cu2', seq: 1 });
    await publisher.close();
  });
});

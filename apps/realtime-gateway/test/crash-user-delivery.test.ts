import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { roomKey } from '@switchboard/events';
import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tokenFor } from './helper.js';
import { type GatewayProcess, spawnGateway } from './process-helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

// Gateways as separate processes (node dist/server.js): build before running this file.
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('user rooms across a gateway crash', () => {
  let redis: RedisServer;
  let publisherRedis: Redis;
  const spawned: GatewayProcess[] = [];
  const clients: SwitchboardClient[] = [];
  const publishers: Publisher[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    publisherRedis = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(spawned.map((gateway) => gateway.stop('SIGKILL')));
    await Promise.all(publishers.map((publisher) => publisher.close()));
    publisherRedis.disconnect();
    await redis.cleanup();
  });

  /**
   * Four SDK clients (two on the instance that is killed), no message before the kill; then
   * `perRoom` messages to global and to each user's room while the clients reconnect (slowly).
   */
  async function crashWhilePublishing(
    name: string,
    options: {
      perRoom: number;
      reconnectDelayMs: number;
      instanceStaleMs: number;
      env: Record<string, string>;
      pauseEvery10Ms: number;
    },
  ) {
    const [a, b] = await Promise.all([
      spawnGateway(redis.url, `${name}-a`, options.env),
      spawnGateway(redis.url, `${name}-b`, options.env),
    ]);
    spawned.push(a, b);
    const publisher = createPublisher(publisherRedis, {
      keyspace,
      instanceStaleMs: options.instanceStaleMs,
    });
    publishers.push(publisher);
    const users = [1, 2, 3, 4].map((n) => `${name}-u${n}`);
    const received = new Map<string, { user: number[]; global: number[]; ids: string[] }>();
    const own: SwitchboardClient[] = [];
    for (const [index, sub] of users.entries()) {
      const client = new SwitchboardClient({
        url: index % 2 === 0 ? [a.url, b.url] : [b.url, a.url],
        token: tokenFor(sub, 'A'),
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        // No jitter: with the default half of the delay random, a client could be back before the
        // dead instance is seen stale, and the queued route this test is about would never be taken.
        reconnect: {
          initialDelayMs: options.reconnectDelayMs,
          maxDelayMs: options.reconnectDelayMs * 2,
          jitter: 0,
        },
      });
      const seen = { user: [] as number[], global: [] as number[], ids: [] as string[] };
      received.set(sub, seen);
      client.onAny((_event, _data, meta) => {
        seen.ids.push(meta.id);
        if (meta.room === `user:${sub}`) seen.user.push(meta.seq);
        if (meta.room === 'global') seen.global.push(meta.seq);
      });
      await client.connect();
      clients.push(client);
      own.push(client);
    }
    expect(own.map((client) => client.instanceId)).toEqual([
      a.instanceId,
      b.instanceId,
      a.instanceId,
      b.instanceId,
    ]);
    const globalBefore = Number(
      await publisherRedis.get(keyspace.realtime.roomSeq(roomKey('A', 'global'))),
    );
    const routes = new Set<string | undefined>();

    await a.stop('SIGKILL');
    for (let i = 0; i < options.perRoom; i += 1) {
      await publisher.publish({
        room: 'global',
        dealershipId: 'A',
        event: 'workflow.progress',
        data: { workflowId: 'g', progress: i % 100 },
      });
      for (const sub of users)
        routes.add(
          (
            await publisher.publish({
              room: `user:${sub}`,
              dealershipId: 'A',
              event: 'workflow.progress',
              data: { workflowId: sub, progress: i % 100 },
            })
          ).route,
        );
      if (i % 10 === 9) await sleep(options.pauseEvery10Ms);
    }

    const complete = () =>
      [...received.values()].every(
        (seen) => seen.user.length >= options.perRoom && seen.global.length >= options.perRoom,
      );
    // Not thrown here: the assertions below show what is missing.
    await waitFor(complete, { message: 'every message at every client', timeoutMs: 20_000 }).catch(
      () => undefined,
    );
    // A later message in each room: once a client has it, a duplicate of an earlier one would have arrived.
    await publisher.publish({
      room: 'global',
      dealershipId: 'A',
      event: 'workflow.progress',
      data: { workflowId: 'g', progress: 0 },
    });
    for (const sub of users)
      await publisher.publish({
        room: `user:${sub}`,
        dealershipId: 'A',
        event: 'workflow.progress',
        data: { workflowId: sub, progress: 0 },
      });
    const lastGlobal = globalBefore + options.perRoom + 1;
    const hasLater = () =>
      [...received.values()].every(
        (seen) => seen.user.includes(options.perRoom + 1) && seen.global.includes(lastGlobal),
      );
    await waitFor(hasLater, { message: 'the later message at every client' }).catch(
      () => undefined,
    );
    for (const [sub, seen] of received) {
      expect(seen.user, `user:${sub}`).toEqual(range(1, options.perRoom + 1));
      expect(seen.global, `global at ${sub}`).toEqual(range(globalBefore + 1, lastGlobal));
      expect(new Set(seen.ids).size, `no duplicate at ${sub}`).toBe(seen.ids.length);
    }
    expect(own.every((client) => client.instanceId === b.instanceId)).toBe(true);
    return routes;
  }

  it('delivers every message to user:<id> and global exactly once, in order, to clients that never had a message before the kill -9', async () => {
    // Reconnects within about a second: meanwhile messages are routed to the dead instance.
    await crashWhilePublishing('crash', {
      perRoom: 200,
      reconnectDelayMs: 400,
      instanceStaleMs: 5_000,
      env: {},
      pauseEvery10Ms: 40,
    });
  }, 60_000);

  it('also when the crash is detected before the clients are back: direct to the dead instance, then queued, then live, each message once and in order', async () => {
    // The dead instance is stale after 1 s; the clients come back after 2.5 s or more.
    const routes = await crashWhilePublishing('stale', {
      perRoom: 60,
      reconnectDelayMs: 2_500,
      instanceStaleMs: 1_000,
      env: { INSTANCE_HEARTBEAT_MS: '200', INSTANCE_STALE_MS: '1000' },
      pauseEvery10Ms: 700,
    });
    expect([...routes].sort()).toEqual(['direct', 'queued']);
  }, 60_000);
});

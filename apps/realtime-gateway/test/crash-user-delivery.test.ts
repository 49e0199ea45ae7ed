import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { type Publisher, createPublisher } from '@switchboard/publisher';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tokenFor } from './helper.js';
import { type GatewayProcess, spawnGateway } from './process-helper.js';

// Gateways as separate processes (node dist/server.js): build before running this file.
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PER_ROOM = 200;

describe('user rooms across a gateway crash', () => {
  let redis: RedisServer;
  let publisherRedis: Redis;
  let publisher: Publisher;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const clients: SwitchboardClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    publisherRedis = new Redis(redis.url);
    publisher = createPublisher(publisherRedis);
    [a, b] = await Promise.all([spawnGateway(redis.url, 'crash-a'), spawnGateway(redis.url, 'crash-b')]);
  }, 30_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await publisher.close();
    publisherRedis.disconnect();
    await redis.cleanup();
  });

  it('delivers every message to user:<id> and global exactly once, in order, to clients that never had a message before the kill -9', async () => {
    // Slow reconnects: messages keep flowing (and are routed to the dead instance) meanwhile.
    const sdk = (sub: string, urls: string[]) =>
      new SwitchboardClient({ url: urls, token: tokenFor(sub, 'A'), WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { initialDelayMs: 400, maxDelayMs: 800 } });
    const users = ['crash-u1', 'crash-u2', 'crash-u3', 'crash-u4'];
    const received = new Map<string, { user: number[]; global: number[]; ids: string[] }>();
    for (const [index, sub] of users.entries()) {
      // Half start on the instance that will crash, half on the one that stays.
      const client = sdk(sub, index % 2 === 0 ? [a.url, b.url] : [b.url, a.url]);
      const seen = { user: [] as number[], global: [] as number[], ids: [] as string[] };
      received.set(sub, seen);
      client.onAny((_event, _data, meta) => {
        seen.ids.push(meta.id);
        if (meta.room === `user:${sub}`) seen.user.push(meta.seq);
        if (meta.room === 'global') seen.global.push(meta.seq);
      });
      await client.connect();
      clients.push(client);
    }
    expect(clients.map((client) => client.instanceId)).toEqual(['crash-a', 'crash-b', 'crash-a', 'crash-b']);

    await a.stop('SIGKILL');
    for (let i = 0; i < PER_ROOM; i += 1) {
      await publisher.publish({ room: 'global', dealershipId: 'A', event: 'workflow.progress', data: { workflowId: 'g', progress: i % 100 } });
      for (const sub of users) await publisher.publish({ room: `user:${sub}`, dealershipId: 'A', event: 'workflow.progress', data: { workflowId: sub, progress: i % 100 } });
      if (i % 10 === 9) await sleep(40);
    }

    const complete = () => [...received.values()].every((seen) => seen.user.length >= PER_ROOM && seen.global.length >= PER_ROOM);
    await waitFor(complete, { message: 'every message at every client', timeoutMs: 20_000 }).catch(() => undefined);
    await sleep(300);
    for (const [sub, seen] of received) {
      expect(seen.user, `user:${sub}`).toEqual(range(1, PER_ROOM));
      expect(seen.global, `global at ${sub}`).toEqual(range(1, PER_ROOM));
      expect(new Set(seen.ids).size, `no duplicate at ${sub}`).toBe(seen.ids.length);
    }
    expect(clients.every((client) => client.instanceId === 'crash-b')).toBe(true);
  }, 60_000);
});

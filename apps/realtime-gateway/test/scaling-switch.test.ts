import { mintToken } from '@switchboard/auth';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import {
  FLAGS,
  type FlagReader,
  type ServiceFlags,
  createFlagStore,
  flagCommands,
  startServiceFlags,
} from '@switchboard/flags';
import { createKeyspace } from '@switchboard/keyspace';
import type { TypedFastify } from '@switchboard/service-kit';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../src/app.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

// The gateway's live mode switch in process, with the real flags SDK on a private Redis.
const secret = 'scaling-switch-test-secret';
const KEY = FLAGS.REDIS_WEBSOCKET_SCALING;

describe('gateway mode follows REDIS_WEBSOCKET_SCALING while connections are open', () => {
  let redis: RedisServer;
  let inspect: Redis;
  const apps: TypedFastify[] = [];
  const clients: SwitchboardClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    inspect = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    inspect.disconnect();
    await redis.cleanup();
  });

  const start = async (instanceId: string, flags: FlagReader, heartbeatMs?: number) => {
    const app = await buildApp({
      redisUrl: redis.url,
      keyspace,
      auth: { secret },
      logLevel: 'silent',
      instanceId,
      flags,
      ...(heartbeatMs ? { heartbeatMs } : {}),
    });
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, url: `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws` };
  };
  const connectClient = async (url: string, sub: string) => {
    const client = new SwitchboardClient({
      url,
      token: mintToken({ sub, dealershipId: 'A', role: 'user' }, { secret }),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    clients.push(client);
    await client.connect();
    return client;
  };
  const inCluster = async (instanceId: string) =>
    (await inspect.zscore(keyspace.realtime.instances(), instanceId)) !== null;
  const registered = async (clientIds: string[]) =>
    Promise.all(
      clientIds.map(async (id) => (await inspect.exists(keyspace.realtime.connection(id))) === 1),
    );

  it('ends consistent after 20 back-to-back toggles, in both final states', async () => {
    const flags: ServiceFlags = await startServiceFlags({
      service: 'switch-test',
      redisUrl: redis.url,
      keyspace,
      ensure: [{ key: KEY, enabled: true }],
    });
    try {
      const { app, url } = await start('gw-flip', flags.client);
      const ids: string[] = [];
      for (const sub of ['u1', 'u2', 'u3']) ids.push((await connectClient(url, sub)).clientId!);
      await waitFor(async () => (await registered(ids)).every(Boolean), {
        message: 'connections registered',
      });
      const commands = flagCommands(createFlagStore(inspect, { keyspace }));
      const actor = { id: 'ops' };

      const flip = async (finalState: boolean) => {
        // Writes are awaited one by one, but each lands while the previous switch may still be in flight.
        for (let i = 0; i < 20; i += 1)
          await commands.toggle(KEY, i % 2 === (finalState ? 1 : 0), { actor });
        const consistent = async () =>
          app.gateway.scaling === finalState &&
          (await inCluster('gw-flip')) === finalState &&
          (await registered(ids)).every((entry) => entry === finalState);
        await waitFor(consistent, {
          timeoutMs: 5_000,
          message: `mode ${finalState} in the gateway and in Redis`,
        });
        // Let any write issued before the last switch land; none may undo it. A fixed wait, not a
        // sentinel: those writes may still be on their way through the breaker, not yet on the
        // connection, so nothing sent from here is ordered after them.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await inCluster('gw-flip')).toBe(finalState);
        expect(await registered(ids)).toEqual(ids.map(() => finalState));
      };
      await flip(false);
      await flip(true);
      expect(clients.every((client) => client.currentState === 'open')).toBe(true);
    } finally {
      await flags.close();
    }
  });

  it('follows a reader without change events on the registry refresh', async () => {
    let enabled = true;
    const { app, url } = await start('gw-poll', { isEnabled: () => enabled }, 100);
    const client = await connectClient(url, 'u9');
    await waitFor(
      async () => (await inCluster('gw-poll')) && (await registered([client.clientId!]))[0],
      { message: 'scaled at start' },
    );
    enabled = false;
    await waitFor(
      async () =>
        !app.gateway.scaling &&
        !(await inCluster('gw-poll')) &&
        !(await registered([client.clientId!]))[0],
      { timeoutMs: 3_000, message: 'single-instance' },
    );
    enabled = true;
    await waitFor(
      async () =>
        app.gateway.scaling &&
        (await inCluster('gw-poll')) &&
        (await registered([client.clientId!]))[0],
      { timeoutMs: 3_000, message: 'scaled again' },
    );
  });
});

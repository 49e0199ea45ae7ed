import { createKeyspace } from '@switchboard/keyspace';
import { SwitchboardClient, type WebSocketConstructor } from '@switchboard/client';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { connect, tokenFor } from './helper.js';
import { type GatewayProcess, spawnGateway } from './process-helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

// Gateways as separate processes (node dist/server.js): build before running this file.
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Each test's waits are bounded one by one; its own bound (60 s) is above their sum.
describe('gateway processes: drain, crash, Redis restart', () => {
  let redis: RedisServer;
  let publisherRedis: Redis;
  let publisher: Publisher;
  let b: GatewayProcess;
  const spawned: GatewayProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis({ persistence: true });
    publisherRedis = new Redis(redis.url);
    publisher = createPublisher(publisherRedis, { keyspace });
    b = await spawnGateway(redis.url, 'proc-b');
    spawned.push(b);
  });
  afterAll(async () => {
    await Promise.all(spawned.map((gateway) => gateway.stop('SIGKILL')));
    await publisher.close();
    publisherRedis.disconnect();
    await redis.cleanup();
  });

  /** A later event in the room, received: a duplicate of an earlier one would have arrived before it. */
  const laterEvent = async (room: string, received: number[]) => {
    const later = await publisher.publish({
      room,
      dealershipId: 'A',
      event: 'workflow.progress',
      data: { workflowId: 'w', progress: 0 },
    });
    await waitFor(() => received.includes(later.seq), { message: 'the later event' });
  };

  /** An SDK client, closed when the test ends even if an assertion failed first. */
  const sdk = (urls: string[]) => {
    const client = new SwitchboardClient({
      url: urls,
      token: tokenFor('u1', 'A'),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    onTestFinished(() => client.close());
    return client;
  };

  /** Publishes 1 000 events at a steady pace (so a fault lands mid-flow). */
  const flow = (room: string) =>
    (async () => {
      for (let i = 0; i < 1000; i += 1) {
        await publisher.publish({
          room,
          dealershipId: 'A',
          event: 'workflow.progress',
          data: { workflowId: 'w', progress: i % 100 },
        });
        if (i % 20 === 19) await sleep(15);
      }
    })();

  it('drains on SIGTERM: ready 503 at once, migrate + 1012, clients move to the other instance losing nothing', async () => {
    const a = await spawnGateway(redis.url, 'proc-a1');
    spawned.push(a);
    const client = sdk([a.url, b.url]);
    await client.connect();
    expect(client.instanceId).toBe('proc-a1');
    await client.subscribe('project:drain');
    const raw = await connect(a.url, tokenFor('u2', 'A'));
    const received: number[] = [];
    client.onAny((_event, _data, meta) => meta.room === 'project:drain' && received.push(meta.seq));
    const migrations: number[] = [];
    client.onClient('migrate', ({ reconnectInMs }) => migrations.push(reconnectInMs));
    const instances: string[] = [];
    client.onClient('connected', ({ instanceId }) => instances.push(instanceId));

    const publishing = flow('project:drain');
    await waitFor(() => received.length >= 200, {
      message: '200 events before the drain',
      timeoutMs: 15_000,
    });
    a.process.kill('SIGTERM');
    const readiness: number[] = [];
    await waitFor(
      async () => {
        const res = await fetch(`${a.http}/health/ready`).catch(() => undefined);
        if (res) readiness.push(res.status);
        return readiness.includes(503) || a.process.exitCode !== null;
      },
      { message: 'readiness 503', timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(readiness).toContain(503);
    expect(await raw.closed).toBe(1012);
    expect(raw.of('migrate')).toHaveLength(1);
    expect(await Promise.race([a.exited, sleep(10_000).then(() => 'timeout')])).toBe(0);

    await publishing;
    await waitFor(() => received.length >= 1000, {
      message: 'all 1 000 events',
      timeoutMs: 20_000,
    });
    await laterEvent('project:drain', received);
    expect(received).toEqual(range(1, 1001));
    expect(migrations).toHaveLength(1);
    // Registered after the first connect: only the reconnection shows, and it went to the other instance.
    expect(instances).toEqual(['proc-b']);
    client.close();
  }, 60_000);

  it('after kill -9 of an instance its clients resume on the other with no gap and no duplicate', async () => {
    const a = await spawnGateway(redis.url, 'proc-a2');
    spawned.push(a);
    const client = sdk([a.url, b.url]);
    await client.connect();
    await client.subscribe('project:crash');
    const received: number[] = [];
    client.onAny((_event, _data, meta) => meta.room === 'project:crash' && received.push(meta.seq));
    const publishing = flow('project:crash');
    await waitFor(() => received.length >= 200, {
      message: '200 events before the crash',
      timeoutMs: 15_000,
    });
    await a.stop('SIGKILL');
    await publishing;
    await waitFor(() => received.length >= 1000, {
      message: 'all 1 000 events',
      timeoutMs: 20_000,
    });
    await laterEvent('project:crash', received);
    expect(received).toEqual(range(1, 1001));
    expect(client.instanceId).toBe('proc-b');
    client.close();
  }, 60_000);

  it('recovers after Redis is killed and restarted: health back to 200, deliveries continue', async () => {
    const a = await spawnGateway(redis.url, 'proc-a3');
    spawned.push(a);
    const onA = await connect(a.url, tokenFor('u1', 'A'));
    const onB = await connect(b.url, tokenFor('u2', 'A'));
    await onA.subscribe('project:redis');
    await onB.subscribe('project:redis');
    await publisher.publish({
      room: 'project:redis',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 'r' },
    });
    await waitFor(() => onA.events().length === 1 && onB.events().length === 1, {
      message: 'first event on both',
    });

    await redis.kill();
    for (const gateway of [a, b]) {
      await waitFor(async () => (await fetch(`${gateway.http}/health/websocket`)).status === 503, {
        message: `${gateway.instanceId} degraded`,
        timeoutMs: 10_000,
      });
    }
    await redis.start();
    for (const gateway of [a, b]) {
      await waitFor(async () => (await fetch(`${gateway.http}/health/websocket`)).status === 200, {
        message: `${gateway.instanceId} healthy`,
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    }
    for (let i = 0; i < 10; i += 1)
      await publisher.publish({
        room: 'project:redis',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 'r' },
      });
    await waitFor(() => onA.events().length === 11 && onB.events().length === 11, {
      message: 'deliveries after the restart',
      timeoutMs: 10_000,
    });
    expect(onA.events().map((frame) => frame['seq'])).toEqual(range(1, 11));
    const metrics = await (await fetch(`${a.http}/metrics`)).text();
    expect(metrics).toMatch(/websocket_redis_connected\{[^}]*\} 1/);
    onA.close();
    onB.close();
  }, 60_000);
});

import { createKeyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import { waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type RunningGateway,
  TestClient,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

/** The keys the apps under test use: they are built without a KEY_PREFIX. */
const keyspace = createKeyspace('');

describe('protecting the service', () => {
  const redis = useRedis();
  let gateway: RunningGateway | undefined;
  let publisherRedis: Redis;
  let publisher: Publisher;

  beforeAll(() => {
    publisherRedis = new Redis(redis.server.url);
    publisher = createPublisher(publisherRedis, { keyspace, historySize: 50 });
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });
  afterAll(async () => {
    await publisher.close();
    publisherRedis.disconnect();
  });

  it('rate-limits frames per connection: RATE_LIMITED errors, then close 4429 on repeated abuse', async () => {
    gateway = await startGateway(redis.server.url, {
      rateBurst: 5,
      ratePerMinute: 60,
      rateStrikes: 3,
    });
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    // connect() used one frame (its readiness ping); 4 more pass, then 3 strikes.
    for (let i = 0; i < 10; i += 1) client.send({ type: 'ping', id: `p${i}` });
    expect(await client.closed).toBe(4429);
    expect(client.of('pong').filter((frame) => String(frame['id']).startsWith('p'))).toHaveLength(
      4,
    );
    expect(client.of('error').filter((frame) => frame['code'] === 'RATE_LIMITED')).toHaveLength(3);
    const metrics = await gateway.app.inject('/metrics');
    expect(metrics.body).toMatch(/websocket_rate_limited_total\{[^}]*scope="frame"[^}]*\} 3/);
  });

  it('also closes 4429 a client that keeps sending at twice its rate (allowed frames in between)', async () => {
    gateway = await startGateway(redis.server.url, {
      rateBurst: 1,
      ratePerMinute: 600,
      rateStrikes: 3,
    });
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    let sent = 0;
    const sender = setInterval(() => client.send({ type: 'ping', id: `s${(sent += 1)}` }), 50);
    try {
      expect(await client.closed).toBe(4429);
    } finally {
      clearInterval(sender);
    }
    expect(
      client.of('pong').filter((frame) => String(frame['id']).startsWith('s')).length,
    ).toBeGreaterThan(0);
    expect(client.of('error').filter((frame) => frame['code'] === 'RATE_LIMITED')).toHaveLength(3);
  });

  it('closes 4429 a client whose frames pile up while its earlier frame waits on Redis, without waiting for Redis', async () => {
    gateway = await startGateway(redis.server.url, {
      rateBurst: 5,
      ratePerMinute: 60,
      rateStrikes: 3,
    });
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    // Every client's commands wait while Redis is paused: the subscribe holds the chain.
    await publisherRedis.call('CLIENT', 'PAUSE', '3000', 'ALL');
    try {
      client.send({ type: 'subscribe', room: 'dealership:A' });
      const sentAt = Date.now();
      for (let i = 0; i < 40; i += 1) client.send({ type: 'ping', id: `p${i}` });
      expect(await client.closed).toBe(4429);
      expect(client.closeReason).toBe('too many frames waiting');
      // Closed as the frames came, not once Redis answered and the queue was worked through.
      expect(Date.now() - sentAt).toBeLessThan(2000);
    } finally {
      await publisherRedis.call('CLIENT', 'UNPAUSE');
    }
    const metrics = await gateway.app.inject('/metrics');
    expect(metrics.body).toMatch(/websocket_rate_limited_total\{[^}]*scope="frame"[^}]*\} 1/);
  });

  it('closes 4429 a client whose waiting frames pass 1 MiB while its earlier frame waits on Redis, however few they are', async () => {
    gateway = await startGateway(redis.server.url);
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    await publisherRedis.call('CLIENT', 'PAUSE', '3000', 'ALL');
    try {
      client.send({ type: 'subscribe', room: 'dealership:A' });
      const padding = 'x'.repeat(60_000);
      // 20 frames: far below the frame-count bound (140 with the default limits), above 1 MiB.
      for (let i = 0; i < 20; i += 1) client.send({ type: 'ping', id: `p${i}`, padding });
      expect(await client.closed).toBe(4429);
      expect(client.closeReason).toBe('too many frames waiting');
    } finally {
      await publisherRedis.call('CLIENT', 'UNPAUSE');
    }
  });

  it('limits connection attempts per IP at upgrade (429 envelope)', async () => {
    gateway = await startGateway(redis.server.url, { connectRatePerMinute: 2 });
    const token = tokenFor('u1', 'A');
    const first = await connect(gateway.url, token);
    const second = await connect(gateway.url, token);
    const third = new TestClient(new WebSocket(`${gateway.url}?token=${token}`));
    await expect(third.opened).rejects.toThrow();
    await expect.poll(() => third.unexpectedBody).not.toBe('');
    expect(third.unexpectedStatus).toBe(429);
    expect(JSON.parse(third.unexpectedBody)).toMatchObject({
      success: false,
      error: { code: 'RATE_LIMITED' },
    });
    first.close();
    second.close();
  });

  it('counts a peer that is not a trusted proxy by its own address, whatever X-Forwarded-For it sends', async () => {
    // The load balancer is 10.0.0.1; this client (127.0.0.1) is not it, so its header is a forgery.
    gateway = await startGateway(redis.server.url, {
      connectRatePerMinute: 2,
      http: { trustProxy: '10.0.0.1' },
    });
    const token = tokenFor('u1', 'A');
    const { url } = gateway;
    const spoofed = (ip: string) =>
      new TestClient(
        new WebSocket(`${url}?token=${token}`, { headers: { 'x-forwarded-for': ip } }),
      );
    const clients = [spoofed('203.0.113.1'), spoofed('203.0.113.2')];
    await Promise.all(clients.map((client) => client.opened));
    const third = spoofed('203.0.113.3');
    await expect(third.opened).rejects.toThrow();
    expect(third.unexpectedStatus).toBe(429);
    for (const client of clients) client.close();
  });

  it('counts clients behind a trusted proxy by their forwarded address', async () => {
    gateway = await startGateway(redis.server.url, {
      connectRatePerMinute: 1,
      http: { trustProxy: '127.0.0.1' },
    });
    const token = tokenFor('u1', 'A');
    const { url } = gateway;
    const via = (ip: string) =>
      new TestClient(
        new WebSocket(`${url}?token=${token}`, { headers: { 'x-forwarded-for': ip } }),
      );
    const clients = [via('203.0.113.1'), via('203.0.113.2')];
    await Promise.all(clients.map((client) => client.opened));
    const again = via('203.0.113.1');
    await expect(again.opened).rejects.toThrow();
    expect(again.unexpectedStatus).toBe(429);
    for (const client of clients) client.close();
  });

  it('terminates a connection that does not answer pings (4408)', async () => {
    gateway = await startGateway(redis.server.url, { heartbeatMs: 300 });
    const token = tokenFor('u1', 'A');
    const silent = new TestClient(
      new WebSocket(`${gateway.url}?token=${token}`, { autoPong: false }),
    );
    const healthy = await connect(gateway.url, token);
    await silent.opened;
    expect(await silent.closed).toBe(4408);
    // Each round either cuts a connection whose pong is missing or pings it again: two more pings
    // mean a full round checked the healthy one's pong and kept it.
    let pings = 0;
    healthy.socket.on('ping', () => (pings += 1));
    await waitFor(() => pings >= 2 || healthy.closeCode !== undefined, {
      message: 'two more heartbeat rounds',
    });
    expect(healthy.closeCode).toBeUndefined();
    healthy.close();
  });

  it('cuts off no healthy client in the round after its event loop stalled past a heartbeat', async () => {
    gateway = await startGateway(redis.server.url, { heartbeatMs: 300 });
    const client = new TestClient(
      new WebSocket(`${gateway.url}?token=${tokenFor('u1', 'A')}`, { autoPong: false }),
    );
    await client.opened;
    let pings = 0;
    client.socket.on('ping', () => {
      pings += 1;
      // Client and gateway share this process: the busy wait stalls the gateway too, so its next
      // heartbeat runs late with this pong still unread.
      if (pings === 1) for (const until = Date.now() + 700; Date.now() < until;);
      client.socket.pong();
    });
    await waitFor(() => pings >= 4, { message: 'four heartbeats answered' });
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it('closes a connection that answers pings but never sends a frame, after the idle timeout (4408)', async () => {
    gateway = await startGateway(redis.server.url, { heartbeatMs: 300, idleTimeoutMs: 1200 });
    const silent = await connect(gateway.url, tokenFor('u1', 'A'));
    const talkative = await connect(gateway.url, tokenFor('u2', 'A'));
    const pinger = setInterval(() => talkative.send({ type: 'ping' }), 100);
    try {
      expect(await silent.closed).toBe(4408);
      expect(talkative.closeCode).toBeUndefined();
    } finally {
      clearInterval(pinger);
    }
    talkative.close();
  });

  it('cuts off a slow consumer while a fast one on the same room gets everything', async () => {
    gateway = await startGateway(redis.server.url, { slowConsumerBytes: 256 * 1024 });
    const token = tokenFor('u1', 'A');
    const fast = await connect(gateway.url, token);
    const slow = await connect(gateway.url, token);
    await fast.subscribe('project:big');
    await slow.subscribe('project:big');
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const blob = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200; i += 1)
      await publisher.publish({
        room: 'project:big',
        dealershipId: 'A',
        event: 'ai.suggestion',
        data: { suggestionId: String(i), content: blob },
      });
    await waitFor(() => fast.events('project:big').length === 200, {
      message: 'fast consumer got all 200',
      timeoutMs: 20_000,
    });
    await waitFor(() => gateway!.app.gateway.counters.stats.slowConsumers === 1, {
      message: 'slow consumer counted',
    });
    await waitFor(() => gateway!.app.gateway.connections.size === 1, {
      message: 'slow consumer gone',
    });
    const metrics = await gateway.app.inject('/metrics');
    expect(metrics.body).toMatch(/websocket_slow_consumers_total\{[^}]*\} 1/);
    fast.close();
    slow.socket.terminate();
  });
});

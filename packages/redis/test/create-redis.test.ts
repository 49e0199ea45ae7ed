import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, reconnectDelayMs } from '../src/index.js';

describe('reconnectDelayMs', () => {
  it.each([
    [0, 1, 50],
    [3, 1, 400],
    [20, 1, 5000],
    [20, 0, 50],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(reconnectDelayMs(attempt, () => random)).toBe(expected);
  });
});

describe('createRedis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it('builds a Cluster client from a redis+cluster:// URL without connecting', () => {
    const client = createRedis('redis+cluster://127.0.0.1:7000,127.0.0.1:7001', {
      lazyConnect: true,
    });
    expect(client).toBeInstanceOf(Cluster);
    client.disconnect();
  });

  it('reconnects by itself after Redis restarts', async () => {
    const attempts: number[] = [];
    const client = createRedis(server.url, { onReconnectAttempt: (n) => attempts.push(n) });
    client.on('error', () => undefined);
    await client.set('a', '1');
    await server.kill();
    await waitFor(() => attempts.length > 0, { message: 'a reconnect attempt' });
    await server.start();
    await waitFor(async () => (await client.ping().catch(() => null)) === 'PONG', {
      timeoutMs: 10_000,
      message: 'reconnect',
    });
    expect(attempts.length).toBeGreaterThan(0);
    client.disconnect();
  });

  it('fails a command at once while a fail-fast client has lost Redis, and works again once Redis is back', async () => {
    const client = createRedis(server.url, {
      failFastWhenDisconnected: true,
      commandTimeoutMs: 1000,
    });
    client.on('error', () => undefined);
    // Before the first connection commands still wait for it.
    expect(await client.set('b', '1')).toBe('OK');
    await server.kill();
    const started = performance.now();
    await expect(client.get('b')).rejects.toThrow(
      /enableOfflineQueue|Connection is closed|timed out/,
    );
    expect(performance.now() - started).toBeLessThan(1100);
    await server.start();
    await waitFor(async () => (await client.ping().catch(() => null)) === 'PONG', {
      timeoutMs: 10_000,
      message: 'reconnect',
    });
    client.disconnect();
  });

  it("gives a fail-fast client's duplicates (subscribers) the usual queueing, so a command sent while they connect waits", async () => {
    const client = createRedis(server.url, {
      failFastWhenDisconnected: true,
      commandTimeoutMs: 1000,
    });
    await client.ping();
    const subscriber = (client as Redis).duplicate();
    expect(subscriber.options.enableOfflineQueue).toBe(true);
    expect(subscriber.options.commandTimeout).toBeUndefined();
    expect(await subscriber.subscribe('some-channel')).toBe(1);
    subscriber.disconnect();
    client.disconnect();
  });
});

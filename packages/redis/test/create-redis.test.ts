import { type RedisServer, startRedis, waitFor } from '@switchboard/test-redis';
import { Cluster } from 'ioredis';
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
    const client = createRedis('redis+cluster://127.0.0.1:7000,127.0.0.1:7001', { lazyConnect: true });
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
    await waitFor(async () => (await client.ping().catch(() => null)) === 'PONG', { timeoutMs: 10_000, message: 'reconnect' });
    expect(attempts.length).toBeGreaterThan(0);
    client.disconnect();
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServer, startRedis } from '../src/index.js';

describe('private redis-server', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ persistence: true });
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it('runs on its own port, not 6379', async () => {
    expect(server.port).not.toBe(6379);
    const client = new Redis(server.url);
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();
  });

  it('can be killed and restarted, keeping data when persistence is on', async () => {
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.set('survives', 'yes');
    client.disconnect();
    await server.kill();
    const down = new Redis(server.url, { lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    await expect(down.connect()).rejects.toThrow();
    await server.start();
    const again = new Redis(server.url);
    expect(await again.get('survives')).toBe('yes');
    again.disconnect();
  });
});

describe('two servers at once', () => {
  it('get distinct ports and data', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
      const ca = new Redis(a.url);
      const cb = new Redis(b.url);
      await ca.set('who', 'a');
      expect(await cb.get('who')).toBeNull();
      ca.disconnect();
      cb.disconnect();
    } finally {
      await Promise.all([a.cleanup(), b.cleanup()]);
    }
  });
});

describe('a port taken between choosing it and binding it', () => {
  it('starts on another free port', async () => {
    const { createServer } = await import('node:net');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const freePort = await import('../src/free-port.js');
    const spy = vi.spyOn(freePort, 'freePort').mockResolvedValueOnce(taken);
    const server = await startRedis();
    try {
      expect(spy).toHaveBeenCalledTimes(2);
      expect(server.port).not.toBe(taken);
      const client = new Redis(server.url);
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
    } finally {
      spy.mockRestore();
      await server.cleanup();
      squatter.close();
    }
  });
});

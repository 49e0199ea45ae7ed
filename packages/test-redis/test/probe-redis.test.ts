import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, freePort, probeRedis, startRedis } from '../src/index.js';

describe('probeRedis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it("answers the question's result from a running Redis, by URL or by port", async () => {
    expect(await probeRedis(server.url, (client) => client.ping())).toBe('PONG');
    const byPort = await probeRedis({ port: server.port, host: '127.0.0.1' }, (client) =>
      client.echo('here'),
    );
    expect(byPort).toBe('here');
  });

  it('answers undefined, without retrying, when nothing listens or the question fails', async () => {
    const started = Date.now();
    expect(await probeRedis(`redis://127.0.0.1:${await freePort()}`, (c) => c.ping())).toBe(
      undefined,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await probeRedis(server.url, (client) => client.call('NO-SUCH-COMMAND'))).toBe(
      undefined,
    );
  });
});

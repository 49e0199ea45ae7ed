import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type RunningGateway,
  TestClient,
  connect,
  startGateway,
  tokenFor,
  useRedis,
} from './helper.js';

describe('gateway.drain()', () => {
  const redis = useRedis();
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('turns readiness and new upgrades away at once, sends migrate, then closes every client 1012 in batches', async () => {
    gateway = await startGateway(redis.server.url);
    const clients = await Promise.all(
      ['u1', 'u2', 'u3'].map((sub) => connect(gateway!.url, tokenFor(sub, 'A'))),
    );
    const draining = gateway.app.gateway.drain({ drainMs: 300, batches: 3 });
    expect(gateway.app.gateway.draining).toBe(true);
    expect((await gateway.app.inject('/health/ready')).statusCode).toBe(503);
    const health = await gateway.app.inject('/health/websocket');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'degraded', draining: true });
    const late = new TestClient(new WebSocket(`${gateway.url}?token=${tokenFor('u4', 'A')}`));
    await expect(late.opened).rejects.toThrow();
    expect(late.unexpectedStatus).toBe(503);

    expect(await draining).toEqual({ closed: 3, forced: 0 });
    expect(await Promise.all(clients.map((client) => client.closed))).toEqual([1012, 1012, 1012]);
    // One batch each: the later ones are told to wait longer before reconnecting.
    expect(clients.map((client) => client.of('migrate')[0]?.reconnectInMs)).toEqual([0, 100, 200]);
  });
});

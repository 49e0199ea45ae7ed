import { staticFlagReader } from '@switchboard/flags';
import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher } from '@switchboard/room-log';
import type { TypedFastify } from '@switchboard/service-kit';
import { startRedis, waitFor } from '@switchboard/test-redis';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { build, connect, startGateway, tokenFor, useRedis } from './helper.js';

const ks = createKeyspace('');

describe('realtime-gateway health and metrics', () => {
  const redis = useRedis();
  let app: TypedFastify | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('is live, ready with Redis, and exposes the gateway metrics', async () => {
    app = await build(redis.server.url);
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.redis.ok).toBe(true);
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain('service="realtime-gateway"');
    for (const name of [
      'websocket_connections_total',
      'websocket_connections_by_dealership',
      'websocket_messages_total',
      'websocket_errors_total',
      'websocket_message_delivery_seconds',
      'websocket_redis_connected',
      'websocket_redis_reconnect_attempts',
      'websocket_queued_messages',
      'websocket_rate_limited_total',
      'websocket_circuit_breaker_state',
      'websocket_deduplicated_total',
      'websocket_slow_consumers_total',
    ]) {
      expect(metrics).toContain(`# TYPE ${name} `);
    }
  });

  it('answers unknown routes with the error envelope', async () => {
    app = await build(redis.server.url);
    const res = await app.inject('/no/such/route');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ success: false, error: { code: 'RECORD_NOT_FOUND' } });
  });

  it('reports /health/websocket in the seed format with live counts', async () => {
    const gateway = await startGateway(redis.server.url, { instanceId: 'gw-health' });
    app = gateway.app;
    await waitFor(() => gateway.app.gateway.subscriber.isConnected, { message: 'subscriber up' });
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    const res = await app.inject('/health/websocket');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'healthy',
      instanceId: 'gw-health',
      connections: { total: 1, connected: 1, byDealership: { A: 1 } },
      metrics: {
        connections: {},
        messages: {},
        queue: {},
        retry: {},
        circuit_breaker: { state: 'closed' },
      },
    });
    expect(Date.parse(res.json().timestamp)).not.toBeNaN();
    expect(await gateway.app.redis.zscore(ks.realtime.instances(), 'gw-health')).not.toBeNull();
    client.close();
  });

  it('says degraded (503) with websocket_redis_connected 0 while Redis is down, and recovers', async () => {
    const own = await startRedis({ persistence: true });
    try {
      const gateway = await startGateway(own.url, {
        instanceId: 'gw-degraded',
        registryTtlMs: 1000,
      });
      app = gateway.app;
      const client = await connect(gateway.url, tokenFor('u1', 'A'));
      await client.subscribe('project:r');
      await own.kill();
      await waitFor(
        async () => (await gateway.app.inject('/health/websocket')).statusCode === 503,
        { message: 'degraded' },
      );
      const degraded = await gateway.app.inject('/health/websocket');
      expect(degraded.json()).toMatchObject({ status: 'degraded', redis: { connected: false } });
      expect((await gateway.app.inject('/metrics')).body).toMatch(
        /websocket_redis_connected\{[^}]*\} 0/,
      );
      // Local connections stay up and keep being served.
      client.send({ type: 'ping', id: 'during-outage' });
      await client.waitFor((frame) => frame.type === 'pong' && frame['id'] === 'during-outage');
      // Registry writes keep failing: the breaker opens, so they fail fast instead of piling up.
      await waitFor(() => gateway.app.gateway.breaker.state === 'open', {
        message: 'breaker open',
        timeoutMs: 15_000,
      });
      expect(
        (await gateway.app.inject('/health/websocket')).json().metrics.circuit_breaker.state,
      ).toBe('open');
      expect((await gateway.app.inject('/metrics')).body).toMatch(
        /websocket_circuit_breaker_state\{[^}]*\} 1/,
      );

      await own.start();
      await waitFor(
        async () => (await gateway.app.inject('/health/websocket')).statusCode === 200,
        { message: 'healthy again (breaker closed)', timeoutMs: 15_000 },
      );
      const publisherRedis = new Redis(own.url);
      const publisher = createPublisher(publisherRedis, { keyspace: ks });
      await publisher.publish({
        room: 'project:r',
        dealershipId: 'A',
        event: 'project.updated',
        data: { projectId: 'r' },
      });
      await client.waitFor(
        (frame) => frame.type === 'event' && frame.room === 'project:r',
        'delivery after recovery',
        10_000,
      );
      expect((await gateway.app.inject('/metrics')).body).toMatch(
        /websocket_redis_reconnect_attempts\{[^}]*\} [1-9]/,
      );
      client.close();
      await publisher.close();
      publisherRedis.disconnect();
    } finally {
      await app?.close();
      app = undefined;
      await own.cleanup();
    }
    // Its waits are bounded one by one (breaker, reconnect backoff up to 5 s); the sum may exceed the default.
  }, 60_000);

  it('runs in single-instance mode when REDIS_WEBSOCKET_SCALING is off: no registry, delivery still works', async () => {
    const gateway = await startGateway(redis.server.url, {
      instanceId: 'gw-single',
      flags: staticFlagReader({ REDIS_WEBSOCKET_SCALING: false }),
    });
    app = gateway.app;
    const client = await connect(gateway.url, tokenFor('u1', 'A'));
    await client.subscribe('project:single');
    const clientId = String(client.frames[0]?.['clientId']);
    expect(await gateway.app.redis.exists(ks.realtime.connection(clientId))).toBe(0);
    expect(await gateway.app.redis.zscore(ks.realtime.instances(), 'gw-single')).toBeNull();
    expect((await gateway.app.inject('/health/websocket')).json().mode).toBe('single-instance');
    const publisherRedis = new Redis(redis.server.url);
    const publisher = createPublisher(publisherRedis, { keyspace: ks });
    await publisher.publish({
      room: 'project:single',
      dealershipId: 'A',
      event: 'project.updated',
      data: { projectId: 's' },
    });
    await client.waitFor((frame) => frame.type === 'event');
    client.close();
    await publisher.close();
    publisherRedis.disconnect();
  });
});

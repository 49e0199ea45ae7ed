import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { GatewayCounters } from './gateway-counters.js';
import { createGatewayMetrics } from './gateway-metrics.js';

function counters() {
  const registry = new Registry();
  return { registry, counters: new GatewayCounters(createGatewayMetrics(registry)) };
}

/** The value of one series line, e.g. `websocket_deduplicated_total 2`. */
async function sample(registry: Registry, series: string): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GatewayCounters', () => {
  it('records each event once, in the health numbers and the Prometheus series alike', async () => {
    const { registry, counters: c } = counters();
    c.duplicateDropped();
    c.duplicateDropped();
    c.slowConsumer();
    c.eventDelivered();
    c.queuedDelivered(3);
    c.frameRateLimited();
    c.frameError('invalid_frame');
    c.redisReconnectAttempt();
    expect(c.stats).toMatchObject({
      duplicatesDropped: 2,
      slowConsumers: 1,
      eventsDelivered: 1,
      queuedDelivered: 3,
      rateLimited: 1,
      errors: 1,
      redisReconnectAttempts: 1,
    });
    expect(await sample(registry, 'websocket_deduplicated_total')).toBe(2);
    expect(await sample(registry, 'websocket_slow_consumers_total')).toBe(1);
    expect(await sample(registry, 'websocket_messages_total{type="event"}')).toBe(1);
    expect(await sample(registry, 'websocket_offline_delivered_total')).toBe(3);
    expect(await sample(registry, 'websocket_rate_limited_total{scope="frame"}')).toBe(1);
    expect(await sample(registry, 'websocket_errors_total{type="invalid_frame"}')).toBe(1);
    expect(await sample(registry, 'websocket_redis_reconnect_attempts')).toBe(1);
  });

  it('keeps open connections per dealership and the active gauge in step with opens and closes', async () => {
    const { registry, counters: c } = counters();
    c.connectionOpened('A');
    c.connectionOpened('B');
    c.connectionOpened('A');
    c.connectionClosed('B');
    expect(c.connectionsByDealership()).toEqual({ A: 2 });
    expect(c.stats).toMatchObject({ connectionsAccepted: 3, disconnections: 1 });
    expect(await sample(registry, 'websocket_connections_total')).toBe(3);
    expect(await sample(registry, 'websocket_connections_active')).toBe(2);
    expect(await sample(registry, 'websocket_connections_by_dealership{dealership="A"}')).toBe(2);
    expect(await sample(registry, 'websocket_connections_by_dealership{dealership="B"}')).toBe(0);
  });

  it('counts raw frames for health only and handled frames by type for Prometheus only', async () => {
    const { registry, counters: c } = counters();
    c.frameReceived();
    c.frameHandled('subscribe');
    expect(c.stats.framesReceived).toBe(1);
    expect(await sample(registry, 'websocket_messages_total{type="client_subscribe"}')).toBe(1);
  });
});

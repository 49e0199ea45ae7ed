import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's Prometheus series (names of the seed, plus breaker, dedup and slow consumers). */
/** Values read when Prometheus scrapes (set once the gateway exists). */
export interface GatewayMetricSources {
  offlineBacklog?: () => Promise<number>;
}

export function createGatewayMetrics(registry: Registry, sources: GatewayMetricSources = {}) {
  const registers = [registry];
  return {
    connectionsTotal: new Counter({
      name: 'websocket_connections_total',
      help: 'WebSocket connections accepted.',
      registers,
    }),
    connectionsActive: new Gauge({
      name: 'websocket_connections_active',
      help: 'Open WebSocket connections.',
      registers,
    }),
    connectionsByDealership: new Gauge({
      name: 'websocket_connections_by_dealership',
      help: 'Open WebSocket connections by dealership.',
      labelNames: ['dealership'] as const,
      registers,
    }),
    messages: new Counter({
      name: 'websocket_messages_total',
      help: 'Frames by type (received client frames and delivered events).',
      labelNames: ['type'] as const,
      registers,
    }),
    errors: new Counter({
      name: 'websocket_errors_total',
      help: 'Errors by type.',
      labelNames: ['type'] as const,
      registers,
    }),
    deliverySeconds: new Histogram({
      name: 'websocket_message_delivery_seconds',
      help: 'From publish to hand-off to the sockets of this instance.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    redisConnected: new Gauge({
      name: 'websocket_redis_connected',
      help: '1 when the pub/sub connection to Redis is up.',
      registers,
    }),
    redisReconnectAttempts: new Counter({
      name: 'websocket_redis_reconnect_attempts',
      help: 'Redis reconnect attempts.',
      registers,
    }),
    queuedMessages: new Gauge({
      name: 'websocket_queued_messages',
      help: 'Offline deliveries waiting for their user, all instances (the same value on each; use max).',
      registers,
      async collect() {
        // Redis unreachable: the gauge keeps its last value rather than failing the scrape.
        const backlog = await sources.offlineBacklog?.().catch(() => undefined);
        if (backlog !== undefined) this.set(backlog);
      },
    }),
    offlineDelivered: new Counter({
      name: 'websocket_offline_delivered_total',
      help: 'Offline-queued messages handed to a connecting client.',
      registers,
    }),
    rateLimited: new Counter({
      name: 'websocket_rate_limited_total',
      help: 'Frames and upgrades refused by rate limits.',
      labelNames: ['scope'] as const,
      registers,
    }),
    circuitBreakerState: new Gauge({
      name: 'websocket_circuit_breaker_state',
      help: 'Redis write breaker: 0 closed, 1 open, 2 half-open, 3 isolated.',
      registers,
    }),
    deduplicated: new Counter({
      name: 'websocket_deduplicated_total',
      help: 'Messages dropped as already delivered.',
      registers,
    }),
    slowConsumers: new Counter({
      name: 'websocket_slow_consumers_total',
      help: 'Connections closed for a full send buffer.',
      registers,
    }),
    gapsDetected: new Counter({
      name: 'websocket_gaps_detected_total',
      help: 'Sequence gaps in live traffic, filled from history.',
      registers,
    }),
    replayed: new Counter({
      name: 'websocket_replayed_messages_total',
      help: 'Messages sent from history (resume and gap fill).',
      registers,
    }),
    scalingEnabled: new Gauge({
      name: 'websocket_scaling_enabled',
      help: 'REDIS_WEBSOCKET_SCALING as applied: 1 scaled (cluster registry), 0 single-instance.',
      registers,
    }),
    roomChannels: new Gauge({
      name: 'websocket_room_channels',
      help: 'Room channels this instance is subscribed to.',
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

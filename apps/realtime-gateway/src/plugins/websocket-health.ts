import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * `/health/websocket` in the seed's format: healthy (200) while Redis pub/sub is connected, the
 * breaker closed and the instance not draining; degraded (503) otherwise. Local delivery goes on
 * while degraded.
 */
async function websocketHealth(app: FastifyInstance): Promise<void> {
  app.get('/health/websocket', async (_request: FastifyRequest, reply: FastifyReply) => {
    const gateway = app.gateway;
    const redisConnected = gateway.subscriber.isConnected;
    const breaker = gateway.breaker.state;
    const healthy = redisConnected && breaker === 'closed' && !gateway.draining;
    const stats = gateway.counters.stats;
    // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
    void reply.status(healthy ? 200 : 503);
    return {
      status: healthy ? 'healthy' : 'degraded',
      timestamp: new Date().toISOString(),
      instanceId: gateway.instanceId,
      mode: gateway.scaling ? 'redis' : 'single-instance',
      draining: gateway.draining,
      redis: { connected: redisConnected, reconnectAttempts: stats.redisReconnectAttempts },
      connections: {
        total: stats.connectionsAccepted,
        connected: gateway.connections.size,
        disconnected: stats.disconnections,
        byDealership: gateway.counters.connectionsByDealership(),
        rooms: gateway.hub.size,
      },
      metrics: {
        connections: {
          accepted: stats.connectionsAccepted,
          active: gateway.connections.size,
          slowConsumers: stats.slowConsumers,
        },
        messages: {
          received: stats.framesReceived,
          delivered: stats.eventsDelivered,
          deduplicated: stats.duplicatesDropped,
          errors: stats.errors,
          rateLimited: stats.rateLimited,
        },
        queue: { deliveredFromOfflineQueue: stats.queuedDelivered },
        retry: { redisReconnectAttempts: stats.redisReconnectAttempts },
        circuit_breaker: { state: breaker, timesOpened: gateway.breaker.timesOpened },
      },
    };
  });
}

export const websocketHealthPlugin = fp(websocketHealth, {
  name: '@switchboard/websocket-health',
  fastify: '5.x',
  dependencies: ['@switchboard/realtime-gateway'],
});

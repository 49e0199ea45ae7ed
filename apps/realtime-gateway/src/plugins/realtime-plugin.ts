// Loads @fastify/swagger's schema typings (hide) for builds that resolve packages from dist.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type {} from '@fastify/swagger';
import { tokenFromUpgrade } from '@switchboard/auth';
import { AppError, ErrorCode } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type WebSocket from 'ws';
import { Gateway } from '../gateway.js';
import type { GatewayOptions } from '../gateway-options.js';
import { CloseCode } from '@switchboard/events';
import { type GatewayMetricSources, createGatewayMetrics } from '../metrics/gateway-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    gateway: Gateway;
  }
}

export interface RealtimePluginOptions {
  redisUrl: string;
  keyspace: Keyspace;
  gateway: GatewayOptions;
}

type ReceiverWithEvents = {
  prependListener(event: 'error', listener: (error: Error & { code?: string }) => void): void;
};

/**
 * `GET /ws`: the token (Authorization: Bearer or ?token=) is verified before the upgrade
 * completes, so a bad token gets an HTTP 401 envelope and never a socket. Also refuses
 * upgrades while draining (503) and over the per-IP connection rate (429).
 */
async function realtime(app: FastifyInstance, options: RealtimePluginOptions): Promise<void> {
  const sources: GatewayMetricSources = {};
  const metrics = createGatewayMetrics(app.metrics, sources);
  const gateway = new Gateway({
    redis: app.redis,
    redisUrl: options.redisUrl,
    ks: options.keyspace,
    metrics,
    log: app.log,
    verifyToken: (token) => app.verifyToken(token),
    readiness: app.health,
    options: options.gateway,
  });
  sources.offlineBacklog = () => gateway.offline.backlog();
  app.decorate('gateway', gateway);
  gateway.start();
  app.addHook('onClose', async () => gateway.close());

  const authenticateUpgrade = async (request: FastifyRequest) => {
    if (gateway.draining)
      throw new AppError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'This instance is draining; connect to another.',
      );
    if (!gateway.ipLimiter.allow(request.ip)) {
      metrics.rateLimited.inc({ scope: 'connect' });
      throw new AppError(ErrorCode.RATE_LIMITED, 'Too many connection attempts from this address.');
    }
    const token = tokenFromUpgrade(request);
    if (!token)
      throw new AppError(
        ErrorCode.UNAUTHORIZED,
        'A token is required (Authorization: Bearer or ?token=).',
        { reason: 'missing' },
      );
    request.principal = app.verifyToken(token);
  };

  app.get(
    '/ws',
    { websocket: true, preValidation: authenticateUpgrade, schema: { hide: true } },
    (socket: WebSocket, request) => {
      // A frame over maxPayload: ws would close 1009; the contract says 4413.
      const receiver = (socket as unknown as { _receiver?: ReceiverWithEvents })._receiver;
      receiver?.prependListener('error', (error) => {
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          metrics.errors.inc({ type: 'frame_too_large' });
          socket.close(CloseCode.FRAME_TOO_LARGE, 'frame too large');
        }
      });
      releaseUpgradeObjects(socket);
      gateway.accept(socket, request.principal, request.ip);
    },
  );
}

export const realtimePlugin = fp(realtime, {
  name: '@switchboard/realtime-gateway',
  fastify: '5.x',
  dependencies: ['@switchboard/platform', '@fastify/websocket'],
});

/**
 * Lets the upgrade's HTTP objects go once the socket is a WebSocket. @fastify/websocket routes the
 * upgrade through a ServerResponse assigned to the TCP socket and adds an 'error' listener that
 * closes over the request and reply; both would be kept for the connection's whole life
 * (IncomingMessage, ServerResponse, Fastify request and reply, child loggers, the URL with its
 * token): a heap snapshot of 2 000 idle connections showed one of each per connection. The
 * gateway handles socket errors itself (accept adds its listener synchronously).
 */
function releaseUpgradeObjects(socket: WebSocket): void {
  socket.removeAllListeners('error');
  const raw = (socket as unknown as { _socket?: Socket & { _httpMessage?: ServerResponse | null } })
    ._socket;
  raw?._httpMessage?.detachSocket(raw);
}

// Loads @fastify/swagger's schema typings (hide) for builds that resolve packages from dist.
import type {} from '@fastify/swagger';
import type { Keyspace } from '@switchboard/keyspace';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Gateway } from '../gateway.js';
import type { GatewayOptions } from '../gateway-options.js';
import { type GatewayMetricSources, createGatewayMetrics } from '../metrics/gateway-metrics.js';
import { closeOversizeFrames } from '../upgrade/frame-too-large.js';
import { upgradeAdmission, upgradeIpCharge } from '../upgrade/upgrade-admission.js';
import { listenForUpgrades } from '../upgrade/upgrade-listener.js';
import { websocketServerOptions } from '../upgrade/websocket-options.js';

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

const WEBSOCKET_PATH = '/ws';

/**
 * `GET /ws`: the token (Authorization: Bearer or ?token=) is verified before the upgrade
 * completes, so a bad token gets an HTTP 401 envelope and never a socket. Also refuses
 * upgrades while draining (503) and over the per-IP connection rate (429). Upgrades are taken
 * off the HTTP server directly (listenForUpgrades), not routed through Fastify.
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
  // Before the HTTP server closes: its close waits for the upgraded sockets.
  app.addHook('preClose', (done) => {
    gateway.disconnectAll();
    done();
  });
  app.addHook('onClose', async () => gateway.close());

  const admit = upgradeAdmission({
    gateway,
    metrics,
    verifyToken: (token) => app.verifyToken(token),
  });
  const frameTooLarge = () => metrics.errors.inc({ type: 'frame_too_large' });
  listenForUpgrades(app, {
    path: WEBSOCKET_PATH,
    chargeRefused: upgradeIpCharge({ gateway, metrics }),
    server: websocketServerOptions(options.gateway),
    admit,
    accept: (socket, principal, ip) => {
      closeOversizeFrames(socket, frameTooLarge);
      gateway.accept(socket, principal, ip);
    },
  });

  // A plain GET /ws (no upgrade) answers as the WebSocket route always has: the same refusals,
  // then 404. WebSocket upgrades have their own per-IP limit: not the HTTP rate limit.
  app.get(
    WEBSOCKET_PATH,
    { schema: { hide: true }, config: { rateLimitGroup: false } },
    (request: FastifyRequest, reply: FastifyReply) => {
      admit({ ip: request.ip, headers: request.headers, url: request.url });
      return reply.code(404).send();
    },
  );
}

export const realtimePlugin = fp(realtime, {
  name: '@switchboard/realtime-gateway',
  fastify: '5.x',
  dependencies: ['@switchboard/platform'],
});

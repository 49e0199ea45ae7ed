import type { Keyspace } from '@switchboard/keyspace';
import { type Publisher, createPublisher } from '@switchboard/room-log';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ClusterReader } from './cluster-reader.js';
import { controlRoutes } from './control-routes.js';
import { PublishService } from './publish-service.js';
import { publishRoutes } from './publish-routes.js';
import { readRoutes } from './read-routes.js';
import { GithubConfigStore } from '../webhooks/github-config.js';
import { githubConfigRoutes, githubRoutes } from '../webhooks/github-routes.js';

export interface ServerApiPluginOptions {
  keyspace: Keyspace;
  /** Room-log settings, the same as every publisher's. */
  offlineQueueMax: number;
  offlineQueueTtlSec: number;
  instanceStaleMs: number;
}

/**
 * The server API under /api/realtime (and /api/v1/websocket/stats): publishing, history,
 * presence and control for backends without Redis access. Any instance answers any request:
 * state is in Redis, commands to other instances go over their ws:direct channels.
 */
async function serverApi(app: FastifyInstance, options: ServerApiPluginOptions): Promise<void> {
  const publisher: Publisher = createPublisher(app.redis, {
    keyspace: options.keyspace,
    instanceStaleMs: options.instanceStaleMs,
    offlineQueue: { maxLength: options.offlineQueueMax, ttlSec: options.offlineQueueTtlSec },
  });
  app.addHook('onClose', async () => publisher.close());
  const reader = new ClusterReader(app.redis, options.keyspace, options.instanceStaleMs);
  const service = new PublishService(app.redis, options.keyspace, publisher);
  await app.register(publishRoutes, { service, keyspace: options.keyspace });
  await app.register(readRoutes, { keyspace: options.keyspace, reader });
  await app.register(controlRoutes, {
    keyspace: options.keyspace,
    reader,
    offline: app.gateway.offline,
  });
  const github = new GithubConfigStore(app.redis, options.keyspace);
  await app.register(githubRoutes, { store: github, service });
  await app.register(githubConfigRoutes, { store: github });
}

export const serverApiPlugin = fp(serverApi, {
  name: '@switchboard/realtime-server-api',
  fastify: '5.x',
  dependencies: ['@switchboard/realtime-gateway'],
});

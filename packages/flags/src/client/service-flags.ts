import type { Keyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import type { Registry } from 'prom-client';
import {
  type EnsureFlag,
  type FlagsClient,
  type FlagsLogger,
  createFlagsClient,
} from './flags-client.js';

export interface ServiceFlagsOptions {
  /** Names the Redis connection and the actor of flags created at first start. */
  service: string;
  redisUrl: string;
  /** Flags this service reads; created with these definitions when absent, never overwritten. */
  ensure: EnsureFlag[];
  keyspace: Keyspace;
  logger?: FlagsLogger;
}

export interface ServiceFlags {
  client: FlagsClient;
  registerMetrics(registry: Registry): void;
  close(): Promise<void>;
}

/**
 * What a service does at start to read flags live: its own Redis connection (the SDK
 * subscribes), a full load, and its well-known flags created if this is the first start.
 * Rejects if Redis is unreachable, so the process exits and its supervisor restarts it.
 */
export async function startServiceFlags(options: ServiceFlagsOptions): Promise<ServiceFlags> {
  const redis = createRedis(options.redisUrl, { name: `${options.service}-flags` });
  redis.on('error', () => undefined);
  const client = createFlagsClient({
    redis,
    keyspace: options.keyspace,
    actor: `system:${options.service}`,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    await client.start();
    await client.ensureFlags(options.ensure);
  } catch (error) {
    // The start-up error is the one to report; a close that fails too adds nothing to it.
    await client.close().catch(() => undefined);
    redis.disconnect();
    throw error;
  }
  return {
    client,
    registerMetrics: (registry) => client.registerMetrics(registry),
    close: async () => {
      await client.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The part of a Fastify app withServiceFlags needs: its metrics registry and its close hook. */
export interface FlagsHost {
  metrics: Registry;
  addHook(name: 'onClose', hook: () => Promise<void>): unknown;
}

/**
 * Starts the service's flags (creating `ensure` if absent), builds the app with their client,
 * and ties them to the app: flag metrics on its registry, the flags connection closed with it.
 */
export async function withServiceFlags<App extends FlagsHost>(
  service: string,
  redis: Pick<ServiceFlagsOptions, 'redisUrl' | 'keyspace'>,
  ensure: EnsureFlag[],
  build: (flags: FlagsClient) => Promise<App>,
): Promise<App> {
  const flags = await startServiceFlags({
    service,
    redisUrl: redis.redisUrl,
    keyspace: redis.keyspace,
    ensure,
  });
  const app = await build(flags.client);
  flags.registerMetrics(app.metrics);
  app.addHook('onClose', flags.close);
  return app;
}

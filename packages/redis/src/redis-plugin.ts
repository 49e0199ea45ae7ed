import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type CreateRedisOptions, type RedisClient, createRedis } from './create-redis.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's command connection (never used for SUBSCRIBE). */
    redis: RedisClient;
  }
}

export interface RedisPluginOptions extends CreateRedisOptions {
  url: string;
  /** Use an existing client instead of creating one; it is then not closed with the app. */
  client?: RedisClient;
}

/** The app's command connection serves requests: it fails fast rather than hold them while Redis is away. */
const REQUEST_PATH: CreateRedisOptions = { commandTimeoutMs: 2000, failFastWhenDisconnected: true };

async function redis(app: FastifyInstance, options: RedisPluginOptions): Promise<void> {
  const client = options.client ?? createRedis(options.url, { ...REQUEST_PATH, ...options });
  client.on('error', (error: Error) => app.log.warn({ err: error }, 'redis connection error'));
  app.decorate<RedisClient>('redis', client);
  if (!options.client) {
    app.addHook('onClose', async () => {
      await client.quit().catch(() => client.disconnect());
    });
  }
}

export const redisPlugin = fp(redis, { name: '@switchboard/redis', fastify: '5.x' });

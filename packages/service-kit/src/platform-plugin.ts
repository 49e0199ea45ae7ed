import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type AuthKeys, authPlugin } from '@switchboard/auth';
import { errorEnvelopeSchema, errorHandlerPlugin } from '@switchboard/errors';
import { healthPlugin, metricsPlugin } from '@switchboard/observability';
import { type RedisClient, redisPlugin } from '@switchboard/redis';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface PlatformOptions {
  service: string;
  version?: string;
  instanceId?: string;
  redisUrl: string;
  /** An existing Redis client (tests); otherwise one is created from redisUrl. */
  redis?: RedisClient;
  auth: AuthKeys;
  /** OpenAPI document title and description; served at /docs. */
  docs?: { title: string; description?: string };
}

/**
 * What every service has before its own routes: the error envelope, metrics, health (with a
 * Redis check), a Redis connection, JWT auth and OpenAPI docs. Routes registered after it
 * inherit all of it.
 */
async function platform(app: FastifyInstance, options: PlatformOptions): Promise<void> {
  await app.register(errorHandlerPlugin);
  await app.register(metricsPlugin, { service: options.service, ...(options.instanceId ? { labels: { instance: options.instanceId } } : {}) });
  await app.register(healthPlugin);
  await app.register(redisPlugin, { url: options.redisUrl, name: options.service, ...(options.redis ? { client: options.redis } : {}) });
  app.health.addCheck('redis', async () => {
    const answer = await app.redis.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
    return 'PONG';
  });
  await app.register(authPlugin, { keys: options.auth });
  app.addSchema(errorEnvelopeSchema);
  if (options.docs) {
    await app.register(swagger, {
      openapi: {
        info: { title: options.docs.title, description: options.docs.description ?? '', version: options.version ?? '0.1.0' },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        security: [{ bearerAuth: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }
}

export const platformPlugin = fp(platform, { name: '@switchboard/platform', fastify: '5.x' });

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type AuthKeys, RevocationList, authPlugin } from '@switchboard/auth';
import { type ProtectionConfig, protectionDefaults } from '@switchboard/config';
import { errorEnvelopeSchema, errorHandlerPlugin } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import { healthPlugin, metricsPlugin } from '@switchboard/observability';
import { type RedisClient, redisPlugin, redisReachable } from '@switchboard/redis';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { securityPlugin } from './security-plugin.js';
import { pressurePlugin } from './pressure-plugin.js';
import { rateLimitPlugin } from './rate-limit-plugin.js';

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
  /** Browser origins CORS allows (CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
  /** Rate limits, load shedding and the Redis command timeout (ProtectionEnv); defaults for the rest. */
  protection?: Partial<ProtectionConfig>;
  /** Keyspace of the rate-limit buckets (KEY_PREFIX from the app's config). */
  keyspace: Keyspace;
  /** Accept `service` tokens (the realtime server API); every other service refuses them. */
  acceptServiceTokens?: boolean;
  /** How often load shedding samples the process (default 1000 ms). */
  pressureSampleIntervalMs?: number;
}

/**
 * What every service has before its own routes: the error envelope, security headers and CORS,
 * metrics, health (with a Redis check), a Redis connection, JWT auth and OpenAPI docs. Routes registered after it
 * inherit all of it.
 */
async function platform(app: FastifyInstance, options: PlatformOptions): Promise<void> {
  const protection = protectionDefaults(options.protection);
  await app.register(errorHandlerPlugin);
  // After the error plugin, so a CORS preflight answer carries x-trace-id too.
  await app.register(securityPlugin, { corsOrigins: options.corsOrigins ?? [] });
  await app.register(metricsPlugin, {
    service: options.service,
    ...(options.instanceId ? { labels: { instance: options.instanceId } } : {}),
  });
  await app.register(healthPlugin);
  await app.register(pressurePlugin, {
    settings: protection,
    ...(options.pressureSampleIntervalMs
      ? { sampleIntervalMs: options.pressureSampleIntervalMs }
      : {}),
  });
  await app.register(redisPlugin, {
    url: options.redisUrl,
    name: options.service,
    commandTimeoutMs: protection.REDIS_COMMAND_TIMEOUT_MS,
    ...(options.redis ? { client: options.redis } : {}),
  });
  app.health.addCheck('redis', () => redisReachable(app.redis));
  // Revoked long-lived tokens (pnpm token revoke): held in memory, kept current over pub/sub.
  const revocations = new RevocationList(app.redis, options.keyspace.auth, {
    onError: (error) => app.log.debug({ err: error }, 'token deny-list refresh failed'),
  });
  await revocations.start();
  app.addHook('onClose', async () => revocations.close());
  await app.register(authPlugin, {
    keys: options.auth,
    revocations,
    acceptServiceTokens: options.acceptServiceTokens === true,
  });
  await app.register(rateLimitPlugin, {
    service: options.service,
    settings: protection,
    keyspace: options.keyspace,
  });
  app.addSchema(errorEnvelopeSchema);
  app.addHook('onRoute', documentErrorResponses);
  if (options.docs) {
    await app.register(swagger, {
      openapi: {
        info: {
          title: options.docs.title,
          description: options.docs.description ?? '',
          version: options.version ?? '0.1.0',
        },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
        security: [{ bearerAuth: [] }],
      },
    });
    // staticCSP: the UI's own policy (hashes of its inline scripts) on its routes, replacing the
    // API's deny-everything policy there.
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  }
}

const ERROR_ENVELOPE = { $ref: 'ErrorEnvelope#' } as const;

/**
 * Every route with a response schema answers errors in the envelope (the error handler makes
 * sure of it): say so in its OpenAPI document, and serialize them by that schema, for every
 * 4xx and 5xx the route does not describe itself (OFREP routes describe their own shapes).
 */
function documentErrorResponses(route: RouteOptions): void {
  const response = route.schema?.response as Record<string, unknown> | undefined;
  if (!response || route.schema?.hide) return;
  const described = Object.keys(response);
  for (const range of ['4xx', '5xx'] as const) {
    if (!described.some((status) => status.toLowerCase() === range))
      response[range] = ERROR_ENVELOPE;
  }
}

export const platformPlugin = fp(platform, { name: '@switchboard/platform', fastify: '5.x' });

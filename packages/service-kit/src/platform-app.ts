import type { AuthKeys } from '@switchboard/auth';
import type { BaseConfig, ProtectionConfig } from '@switchboard/config';
import { type Keyspace, createKeyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { type TypedFastify, createFastify } from './create-fastify.js';
import { type HttpOptions, httpOptionsFrom } from './http-options.js';
import { platformPlugin } from './platform-plugin.js';
import { requireAuthKeys } from './run-service.js';

/** What every service's buildApp takes for the platform, whatever else it needs. */
export interface PlatformAppOptions {
  redisUrl: string;
  auth: AuthKeys;
  logLevel?: string;
  /** Share a Redis client (tests); otherwise one is created from redisUrl. */
  redis?: RedisClient;
  /** Every Redis key and channel, with the config's KEY_PREFIX. */
  keyspace: Keyspace;
  /** HTTP edge: trusted proxies, path parameter and JSON depth limits, CORS origins. */
  http?: HttpOptions;
  /** Rate limits and load shedding (ProtectionEnv); defaults for the rest. */
  protection?: Partial<ProtectionConfig>;
}

/** Who the app is: its name in logs and metrics, its OpenAPI title, its instance. */
export interface PlatformAppIdentity {
  service: string;
  docs: { title: string; description: string };
  instanceId?: string;
  /** Accept `service` tokens (only the realtime gateway, whose server API knows their scopes). */
  acceptServiceTokens?: boolean;
}

/** Fastify with the platform registered (PlatformOptions), ready for the service's own plugins. */
export async function createPlatformApp(
  identity: PlatformAppIdentity,
  options: PlatformAppOptions,
): Promise<TypedFastify> {
  const instance = identity.instanceId ? { instanceId: identity.instanceId } : {};
  const app = createFastify({
    service: identity.service,
    logLevel: options.logLevel ?? 'info',
    ...instance,
    ...options.http,
  });
  await app.register(platformPlugin, {
    service: identity.service,
    redisUrl: options.redisUrl,
    auth: options.auth,
    ...instance,
    docs: identity.docs,
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.http?.corsOrigins ? { corsOrigins: options.http.corsOrigins } : {}),
    ...(options.protection ? { protection: options.protection } : {}),
    keyspace: options.keyspace,
    ...(identity.acceptServiceTokens ? { acceptServiceTokens: true } : {}),
  });
  return app;
}

/**
 * The PlatformAppOptions every server.ts reads the same way from its loaded config; exits
 * without JWT keys (requireAuthKeys), so call it before building anything.
 */
export function platformAppOptionsFrom(
  service: string,
  config: BaseConfig & ProtectionConfig,
): PlatformAppOptions {
  return {
    redisUrl: config.REDIS_URL,
    keyspace: createKeyspace(config.KEY_PREFIX),
    auth: requireAuthKeys(service, config),
    logLevel: config.LOG_LEVEL,
    http: httpOptionsFrom(config),
    protection: config,
  };
}

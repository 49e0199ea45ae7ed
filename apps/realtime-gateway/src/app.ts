import websocket from '@fastify/websocket';
import type { AuthKeys } from '@switchboard/auth';
import { type FlagReader, staticFlagReader } from '@switchboard/flags';
import type { Keyspace } from '@switchboard/keyspace';
import type { ProtectionConfig } from '@switchboard/config';
import type { RedisClient } from '@switchboard/redis';
import {
  type HttpOptions,
  type TypedFastify,
  createFastify,
  platformPlugin,
} from '@switchboard/service-kit';
import { instanceIdFrom } from './config.js';
import { DEFAULT_GATEWAY_OPTIONS, type GatewayOptions } from './gateway-options.js';
import { realtimePlugin } from './plugins/realtime-plugin.js';
import { websocketHealthPlugin } from './plugins/websocket-health.js';

export const SERVICE_NAME = 'realtime-gateway';

export interface AppOptions extends Partial<Omit<GatewayOptions, 'instanceId' | 'flags'>> {
  redisUrl: string;
  auth: AuthKeys;
  logLevel?: string;
  /** Share a Redis client (tests); otherwise one is created from redisUrl. */
  redis?: RedisClient;
  /** Default: a random id. */
  instanceId?: string;
  /** Feature flags (REDIS_WEBSOCKET_SCALING); default: every flag on. */
  flags?: FlagReader;
  /** Every Redis key and channel, with the config's KEY_PREFIX. */
  keyspace: Keyspace;
  /** HTTP edge: trusted proxies, path parameter and JSON depth limits, CORS origins. */
  http?: HttpOptions;
  /** HTTP rate limits and load shedding (ProtectionEnv); defaults for the rest. */
  protection?: Partial<ProtectionConfig>;
}

/** Builds the realtime gateway without listening: server.ts listens, tests use real sockets. */
export async function buildApp(options: AppOptions): Promise<TypedFastify> {
  const {
    redisUrl,
    auth,
    logLevel,
    redis,
    flags,
    keyspace,
    http,
    protection,
    instanceId: _instanceId,
    ...timing
  } = options;
  const instanceId = options.instanceId ?? instanceIdFrom({ INSTANCE_ID: undefined });
  const gatewayOptions: GatewayOptions = {
    ...DEFAULT_GATEWAY_OPTIONS,
    ...definedOnly(timing),
    instanceId,
    flags: flags ?? staticFlagReader(),
  };
  const app = createFastify({
    service: SERVICE_NAME,
    logLevel: logLevel ?? 'info',
    instanceId,
    ...http,
  });
  await app.register(platformPlugin, {
    service: SERVICE_NAME,
    redisUrl,
    auth,
    instanceId,
    docs: {
      title: 'Switchboard realtime gateway',
      description: 'WebSocket protocol: docs/api/websocket.md',
    },
    ...(redis ? { redis } : {}),
    ...(http?.corsOrigins ? { corsOrigins: http.corsOrigins } : {}),
    ...(protection ? { protection } : {}),
    keyspace,
  });
  await app.register(websocket, { options: { maxPayload: gatewayOptions.maxPayload } });
  await app.register(realtimePlugin, { redisUrl, keyspace, gateway: gatewayOptions });
  await app.register(websocketHealthPlugin);
  return app;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}

import type { AuthKeys } from '@switchboard/auth';
import { type FlagReader, staticFlagReader } from '@switchboard/flags';
import { idempotencyPlugin } from '@switchboard/idempotency';
import type { Keyspace } from '@switchboard/keyspace';
import type { ProtectionConfig } from '@switchboard/config';
import type { RedisClient } from '@switchboard/redis';
import {
  type HttpOptions,
  type TypedFastify,
  createFastify,
  platformPlugin,
} from '@switchboard/service-kit';
import { type SandboxRuntimeSettings, runtimeSettings } from './config.js';
import type { SandboxDriver } from './drivers/sandbox-driver.js';
import { queueDashboardPlugin } from './plugins/queue-dashboard-plugin.js';
import { sandboxQuotaPlugin } from './plugins/sandbox-quota-plugin.js';
import { sandboxRuntimePlugin } from './plugins/sandbox-runtime-plugin.js';
import { sandboxRoutes } from './routes/sandbox/index.js';

export const SERVICE_NAME = 'sandbox-service';
/** The BullMQ dashboard; the load balancer routes this prefix to the sandbox API. */
const QUEUE_DASHBOARD_PATH = '/admin/queues';

export interface AppOptions {
  redisUrl: string;
  auth: AuthKeys;
  logLevel?: string;
  /** Share a Redis client (tests); otherwise one is created from redisUrl. */
  redis?: RedisClient;
  /** Reads SANDBOX_PAUSE_RESUME; default: every flag on (the flags issue injects the SDK). */
  flags?: FlagReader;
  /** Settings shared with the workers; defaults from the env schema. */
  settings?: Partial<SandboxRuntimeSettings>;
  /** Every Redis key, channel and queue name, with the config's KEY_PREFIX. */
  keyspace: Keyspace;
  /** HTTP edge: trusted proxies, path parameter and JSON depth limits, CORS origins. */
  http?: HttpOptions;
  driver?: SandboxDriver;
  /** Rate limits and load shedding (ProtectionEnv); defaults for the rest. */
  protection?: Partial<ProtectionConfig>;
}

/** Builds the sandbox service without listening: server.ts listens, tests use app.inject. */
export async function buildApp(options: AppOptions): Promise<TypedFastify> {
  const app = createFastify({
    service: SERVICE_NAME,
    logLevel: options.logLevel ?? 'info',
    ...options.http,
  });
  await app.register(platformPlugin, {
    service: SERVICE_NAME,
    redisUrl: options.redisUrl,
    auth: options.auth,
    docs: {
      title: 'Switchboard sandbox service',
      description: 'Sandboxes, pause/resume and tool executions (docs/api/sandbox.md).',
    },
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.http?.corsOrigins ? { corsOrigins: options.http.corsOrigins } : {}),
    ...(options.protection ? { protection: options.protection } : {}),
    keyspace: options.keyspace,
  });
  await app.register(idempotencyPlugin, { scope: 'sandbox', keyspace: options.keyspace });
  await app.register(sandboxRuntimePlugin, {
    settings: runtimeSettings(options.settings),
    flags: options.flags ?? staticFlagReader(),
    keyspace: options.keyspace,
    ...(options.driver ? { driver: options.driver } : {}),
  });
  await app.register(sandboxQuotaPlugin);
  await app.register(sandboxRoutes, { prefix: '/api/sandbox' });
  await app.register(queueDashboardPlugin, {
    prefix: QUEUE_DASHBOARD_PATH,
    basePath: QUEUE_DASHBOARD_PATH,
    keyspace: options.keyspace,
  });
  return app;
}

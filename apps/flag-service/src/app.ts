import type { AuthKeys } from '@switchboard/auth';
import { idempotencyPlugin } from '@switchboard/idempotency';
import type { Keyspace } from '@switchboard/keyspace';
import type { ProtectionConfig } from '@switchboard/config';
import type { RedisClient } from '@switchboard/redis';
import type { RoomLogSettings } from '@switchboard/room-log';
import {
  type HttpOptions,
  type TypedFastify,
  createFastify,
  platformPlugin,
} from '@switchboard/service-kit';
import { flagMetricsPlugin } from './plugins/flag-metrics.js';
import { flagsPlugin } from './plugins/flags.js';
import { adminRoutes } from './routes/admin/index.js';
import { evaluationRoutes } from './routes/evaluation/index.js';
import { ofrepRoutes } from './routes/ofrep/index.js';

export const SERVICE_NAME = 'flag-service';

export interface AppOptions {
  redisUrl: string;
  auth: AuthKeys;
  logLevel?: string;
  /** Share a Redis client (tests); otherwise one is created from redisUrl. */
  redis?: RedisClient;
  /** Every Redis key and channel, with the config's KEY_PREFIX. */
  keyspace: Keyspace;
  /** Flag event outbox: how often to sweep, and how old a write's mark must be to be swept. */
  outbox?: { sweepEveryMs?: number; sweepAfterMs?: number };
  /** How its publisher routes user rooms and bounds offline queues (RoomLogEnv); defaults otherwise. */
  roomLog?: RoomLogSettings;
  /** HTTP edge: trusted proxies, path parameter and JSON depth limits, CORS origins. */
  http?: HttpOptions;
  /** Rate limits and load shedding (ProtectionEnv); defaults for the rest. */
  protection?: Partial<ProtectionConfig>;
}

/** Builds the flag service without listening: server.ts listens, tests use app.inject. */
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
      title: 'Switchboard flag service',
      description: 'Feature flags: admin API, evaluation API and OFREP.',
    },
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.http?.corsOrigins ? { corsOrigins: options.http.corsOrigins } : {}),
    ...(options.protection ? { protection: options.protection } : {}),
    keyspace: options.keyspace,
  });
  await app.register(idempotencyPlugin, { scope: SERVICE_NAME, keyspace: options.keyspace });
  await app.register(flagsPlugin, {
    keyspace: options.keyspace,
    ...(options.outbox?.sweepEveryMs ? { outboxSweepEveryMs: options.outbox.sweepEveryMs } : {}),
    ...(options.outbox?.sweepAfterMs ? { outboxSweepAfterMs: options.outbox.sweepAfterMs } : {}),
    ...(options.roomLog ? { roomLog: options.roomLog } : {}),
  });
  await app.register(flagMetricsPlugin);
  await app.register(adminRoutes);
  await app.register(evaluationRoutes);
  await app.register(ofrepRoutes);
  return app;
}

import { idempotencyPlugin } from '@switchboard/idempotency';
import type { RoomLogSettings } from '@switchboard/room-log';
import {
  type PlatformAppOptions,
  type TypedFastify,
  createPlatformApp,
} from '@switchboard/service-kit';
import { flagMetricsPlugin } from './plugins/flag-metrics.js';
import { flagsPlugin } from './plugins/flags.js';
import { adminRoutes } from './routes/admin/index.js';
import { evaluationRoutes } from './routes/evaluation/index.js';
import { ofrepRoutes } from './routes/ofrep/index.js';

export const SERVICE_NAME = 'flag-service';

export interface AppOptions extends PlatformAppOptions {
  /** Flag event outbox: how often to sweep, and how old a write's mark must be to be swept. */
  outbox?: { sweepEveryMs?: number; sweepAfterMs?: number };
  /** How its publisher routes user rooms and bounds offline queues (RoomLogEnv); defaults otherwise. */
  roomLog?: RoomLogSettings;
}

/** Builds the flag service without listening: server.ts listens, tests use app.inject. */
export async function buildApp(options: AppOptions): Promise<TypedFastify> {
  const app = await createPlatformApp(
    {
      service: SERVICE_NAME,
      docs: {
        title: 'Switchboard flag service',
        description: 'Feature flags: admin API, evaluation API and OFREP.',
      },
    },
    options,
  );
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

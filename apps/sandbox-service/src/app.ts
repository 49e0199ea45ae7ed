import { type FlagReader, staticFlagReader } from '@switchboard/flags';
import { idempotencyPlugin } from '@switchboard/idempotency';
import {
  type PlatformAppOptions,
  type TypedFastify,
  createPlatformApp,
} from '@switchboard/service-kit';
import { type SandboxRuntimeSettings, runtimeSettings } from './config.js';
import type { SandboxDriver } from './drivers/sandbox-driver.js';
import { queueDashboardPlugin } from './plugins/queue-dashboard-plugin.js';
import { sandboxQuotaPlugin } from './plugins/sandbox-quota-plugin.js';
import { sandboxRuntimePlugin } from './plugins/sandbox-runtime-plugin.js';
import { agentRoutes } from './routes/agents/index.js';
import { sandboxRoutes } from './routes/sandbox/index.js';
import { taskRoutes } from './routes/tasks/index.js';
import { taskPlugin } from './tasks/task-plugin.js';

export const SERVICE_NAME = 'sandbox-service';
/** The BullMQ dashboard; the load balancer routes this prefix to the sandbox API. */
const QUEUE_DASHBOARD_PATH = '/admin/queues';

export interface AppOptions extends PlatformAppOptions {
  /** Reads SANDBOX_PAUSE_RESUME; default: every flag on (the flags issue injects the SDK). */
  flags?: FlagReader;
  /** Settings shared with the workers; defaults from the env schema. */
  settings?: Partial<SandboxRuntimeSettings>;
  driver?: SandboxDriver;
}

/** Builds the sandbox service without listening: server.ts listens, tests use app.inject. */
export async function buildApp(options: AppOptions): Promise<TypedFastify> {
  const app = await createPlatformApp(
    {
      service: SERVICE_NAME,
      docs: {
        title: 'Switchboard sandbox service',
        description:
          'Sandboxes, pause/resume and tool executions (docs/api/sandbox.md); agent tasks and the agent registry (docs/api/tasks.md).',
      },
    },
    options,
  );
  await app.register(idempotencyPlugin, { scope: 'sandbox', keyspace: options.keyspace });
  await app.register(sandboxRuntimePlugin, {
    settings: runtimeSettings(options.settings),
    flags: options.flags ?? staticFlagReader(),
    keyspace: options.keyspace,
    ...(options.driver ? { driver: options.driver } : {}),
  });
  await app.register(sandboxQuotaPlugin);
  await app.register(sandboxRoutes, { prefix: '/api/sandbox' });
  await app.register(taskPlugin, { settings: app.sandbox.settings });
  await app.register(taskRoutes, { prefix: '/api/tasks' });
  await app.register(agentRoutes, { prefix: '/api/agents' });
  await app.register(queueDashboardPlugin, {
    prefix: QUEUE_DASHBOARD_PATH,
    basePath: QUEUE_DASHBOARD_PATH,
    keyspace: options.keyspace,
  });
  return app;
}

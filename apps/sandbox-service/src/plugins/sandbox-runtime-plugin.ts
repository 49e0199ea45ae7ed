import type { FlagReader } from '@switchboard/flags';
import type { Keyspace } from '@switchboard/keyspace';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SandboxRuntimeSettings } from '../config.js';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';
import { createSandboxMetrics, type SandboxMetrics } from '../metrics/sandbox-metrics.js';
import { createSandboxRuntime, type SandboxRuntime } from '../runtime/sandbox-runtime.js';

declare module 'fastify' {
  interface FastifyInstance {
    sandbox: SandboxRuntime;
    sandboxMetrics: SandboxMetrics;
    flags: FlagReader;
  }
}

export interface SandboxRuntimePluginOptions {
  settings: SandboxRuntimeSettings;
  flags: FlagReader;
  keyspace: Keyspace;
  driver?: SandboxDriver;
}

/** Stores, queues, driver, events and metrics over the app's Redis, plus the driver's readiness report. */
async function sandboxRuntime(
  app: FastifyInstance,
  options: SandboxRuntimePluginOptions,
): Promise<void> {
  const runtime = createSandboxRuntime({
    redis: app.redis,
    settings: options.settings,
    onQueueError: (error) => app.log.warn({ err: error }, 'queue connection error'),
    log: { warn: (details, message) => app.log.warn(details, message) },
    keyspace: options.keyspace,
    ...(options.driver ? { driver: options.driver } : {}),
    // The metrics exist only once the runtime does; failures before that cannot happen.
    onDriverFailure: (operation) => app.sandboxMetrics.driverFailures.inc({ operation }),
  });
  app.decorate('sandbox', runtime);
  app.decorate('flags', options.flags);
  app.decorate(
    'sandboxMetrics',
    createSandboxMetrics(app.metrics, {
      isolation: runtime.driver.isolation,
      stateCounts: () => runtime.sandboxes.stateCounts(),
      queueDepth: async () => {
        const [executions, autoPause] = await Promise.all([
          runtime.queues.executions.getJobCounts('waiting', 'delayed', 'prioritized'),
          runtime.queues.autoPause.getJobCounts('waiting', 'delayed', 'prioritized'),
        ]);
        const sum = (counts: Record<string, number>) =>
          Object.values(counts).reduce((a, b) => a + b, 0);
        return {
          [runtime.keyspace.queues.sandboxExecutions]: sum(executions),
          [runtime.keyspace.queues.sandboxAutoPause]: sum(autoPause),
        };
      },
    }),
  );
  // Operators see how pause freezes work on this host (issue 4: report it on /health/ready).
  app.health.addCheck('sandbox-driver', () => ({
    driver: runtime.driver.name,
    isolation: runtime.driver.isolation,
    reason: runtime.driverReason,
    freeze: runtime.driver.capabilities(),
  }));
  app.addHook('onClose', async () => {
    await runtime.close();
  });
}

export const sandboxRuntimePlugin = fp(sandboxRuntime, {
  name: 'sandbox-runtime',
  fastify: '5.x',
  dependencies: ['@switchboard/redis', '@switchboard/metrics', '@switchboard/health'],
});

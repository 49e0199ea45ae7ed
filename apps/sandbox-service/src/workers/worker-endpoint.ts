import { healthPlugin, metricsPlugin } from '@switchboard/observability';
import { type RedisClient, redisReachable } from '@switchboard/redis';
import { type TypedFastify, createFastify } from '@switchboard/service-kit';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';

export interface WorkerEndpointOptions {
  service: string;
  logLevel: string;
}

/**
 * Workers are not HTTP services; this small app lets Prometheus scrape their execution metrics
 * (`app.metrics` is the registry the worker reports to) and supervisors probe `/health/live` and
 * `/health/ready`, with the same plugins and paths as the API.
 */
export async function createWorkerEndpoint(options: WorkerEndpointOptions): Promise<TypedFastify> {
  const app = createFastify({ service: options.service, logLevel: options.logLevel });
  await app.register(metricsPlugin, { service: options.service });
  await app.register(healthPlugin);
  return app;
}

/**
 * The worker's readiness: Redis reachable (and not draining). The worker's connections retry
 * forever (BullMQ needs that), so a plain PING would hang while Redis is down; redisReachable
 * answers at once (a lost connection) or within 500 ms (an unanswered PING). The driver check
 * reports how pause freezes processes on this host.
 */
export function addWorkerChecks(
  app: TypedFastify,
  worker: { redis: RedisClient; driver: SandboxDriver; driverReason?: string },
): void {
  app.health.addCheck('redis', async () => {
    await redisReachable(worker.redis);
  });
  app.health.addCheck('sandbox-driver', () => ({
    driver: worker.driver.name,
    isolation: worker.driver.isolation,
    reason: worker.driverReason ?? null,
    freeze: worker.driver.capabilities(),
  }));
}

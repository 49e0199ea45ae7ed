import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { ProtectionConfig } from '@switchboard/config';
import { AppError, ErrorCode } from '@switchboard/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

type PressureSettings = Pick<
  ProtectionConfig,
  | 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS'
  | 'PRESSURE_MAX_HEAP_USED_BYTES'
  | 'PRESSURE_MAX_RSS_BYTES'
  | 'PRESSURE_RETRY_AFTER_SEC'
>;

export interface PressurePluginOptions {
  settings: PressureSettings;
  /** How often load is sampled (default 1000 ms; tests use less). */
  sampleIntervalMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The 503 load shedding answers right now, or undefined when not under pressure: for work
     * that does not pass through Fastify's hooks (WebSocket upgrades).
     */
    pressureRefusal(): AppError | undefined;
  }
}

/** Without a configured heap threshold: shed before V8's own limit, where the process would die. */
const HEAP_LIMIT_SHARE = 0.9;

/** Still answered under pressure: liveness (the process is alive), readiness (reports the pressure), metrics. */
const ALWAYS_ANSWERED = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Load shedding (@fastify/under-pressure): while the event loop lags, or the heap or RSS is past
 * its threshold, requests answer 503 SERVICE_UNAVAILABLE with Retry-After at once, and
 * /health/ready fails its `pressure` check so the load balancer sends traffic elsewhere, before
 * the instance falls over. RSS and event-loop thresholds of 0 are off.
 */
async function pressure(app: FastifyInstance, options: PressurePluginOptions): Promise<void> {
  const { settings } = options;
  const retryAfter = settings.PRESSURE_RETRY_AFTER_SEC;
  const maxHeapUsedBytes =
    settings.PRESSURE_MAX_HEAP_USED_BYTES ||
    Math.floor(getHeapStatistics().heap_size_limit * HEAP_LIMIT_SHARE);
  const overloaded = (type: string, value: number | null) =>
    new AppError(
      ErrorCode.SERVICE_UNAVAILABLE,
      'This instance is overloaded; retry shortly.',
      { reason: type, value, retryAfterSeconds: retryAfter },
      { headers: { 'retry-after': String(retryAfter) } },
    );
  await app.register(underPressure, {
    maxEventLoopDelay: settings.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes,
    maxRssBytes: settings.PRESSURE_MAX_RSS_BYTES,
    sampleInterval: options.sampleIntervalMs ?? 1000,
    retryAfter,
    pressureHandler: (request: FastifyRequest, _reply, type, value) => {
      if (request.routeOptions.url !== undefined && ALWAYS_ANSWERED.has(request.routeOptions.url))
        return undefined;
      return Promise.reject(overloaded(type, value ?? null));
    },
  });
  // The checks under-pressure's onRequest makes, in its order (no health check or event-loop
  // utilisation threshold is configured), on the sample it keeps.
  app.decorate('pressureRefusal', () => {
    if (!app.isUnderPressure()) return undefined;
    const usage = app.memoryUsage();
    const maxDelay = settings.PRESSURE_MAX_EVENT_LOOP_DELAY_MS;
    const maxRss = settings.PRESSURE_MAX_RSS_BYTES;
    if (maxDelay > 0 && usage.eventLoopDelay > maxDelay)
      return overloaded('eventLoopDelay', usage.eventLoopDelay);
    if (usage.heapUsed > maxHeapUsedBytes) return overloaded('heapUsedBytes', usage.heapUsed);
    if (maxRss > 0 && usage.rssBytes > maxRss) return overloaded('rssBytes', usage.rssBytes);
    return overloaded('eventLoopUtilization', usage.eventLoopUtilized);
  });
  app.health.addCheck('pressure', () => {
    const usage = app.memoryUsage();
    if (app.isUnderPressure()) throw new Error(`under pressure: ${JSON.stringify(usage)}`);
    return usage;
  });
}

export const pressurePlugin = fp(pressure, {
  name: '@switchboard/pressure',
  fastify: '5.x',
  dependencies: ['@switchboard/health'],
});

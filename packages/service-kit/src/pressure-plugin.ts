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
  await app.register(underPressure, {
    maxEventLoopDelay: settings.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes:
      settings.PRESSURE_MAX_HEAP_USED_BYTES ||
      Math.floor(getHeapStatistics().heap_size_limit * HEAP_LIMIT_SHARE),
    maxRssBytes: settings.PRESSURE_MAX_RSS_BYTES,
    sampleInterval: options.sampleIntervalMs ?? 1000,
    retryAfter,
    pressureHandler: (request: FastifyRequest, _reply, type, value) => {
      if (request.routeOptions.url !== undefined && ALWAYS_ANSWERED.has(request.routeOptions.url))
        return undefined;
      return Promise.reject(
        new AppError(
          ErrorCode.SERVICE_UNAVAILABLE,
          'This instance is overloaded; retry shortly.',
          { reason: type, value: value ?? null, retryAfterSeconds: retryAfter },
          { headers: { 'retry-after': String(retryAfter) } },
        ),
      );
    },
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

// Brings app.metrics / app.health / app.redis into the types when building against dist.
import type {} from '@switchboard/observability';
import type {} from '@switchboard/redis';
import type { EvaluationResult } from '@switchboard/flags';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    flagMetrics: {
      /** Counts one evaluation and its duration. */
      evaluated(result: EvaluationResult, seconds: number): void;
    };
  }
}

/** Label for flags that do not exist, so unknown keys cannot grow the series without bound. */
const UNKNOWN_FLAG = '__unknown__';

/**
 * The seed's flag metrics on the app's registry: how many flags per status (computed at scrape
 * from the live snapshot), evaluations by flag and result, and evaluation duration.
 */
async function flagMetrics(app: FastifyInstance): Promise<void> {
  new Gauge({
    name: 'feature_flags_total',
    help: 'Flags by status (enabled, disabled, archived).',
    labelNames: ['status'] as const,
    registers: [app.metrics],
    collect() {
      const counts = { enabled: 0, disabled: 0, archived: 0 };
      for (const flag of app.flags.client.flags())
        counts[flag.archived ? 'archived' : flag.enabled ? 'enabled' : 'disabled'] += 1;
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  // Evaluations are counted here and handed to the counter when it is read (a scrape): a bulk
  // OFREP call evaluates every flag, and the counter's own inc hashes its labels on every call.
  // Bounded by flags × (variants + error + none).
  const counted = new Map<string, Map<string, number>>();
  new Counter({
    name: 'feature_flag_evaluations_total',
    help: 'Flag evaluations by flag and result (the variant served, or error).',
    labelNames: ['flag', 'result'] as const,
    registers: [app.metrics],
    collect() {
      for (const [flag, results] of counted)
        for (const [result, count] of results) this.inc({ flag, result }, count);
      counted.clear();
    },
  });
  const duration = new Histogram({
    name: 'feature_flag_evaluation_duration_seconds',
    help: 'Time to evaluate one flag.',
    buckets: [0.000001, 0.000005, 0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005],
    registers: [app.metrics],
  });
  app.decorate('flagMetrics', {
    evaluated(result, seconds) {
      const flag = result.errorCode === 'FLAG_NOT_FOUND' ? UNKNOWN_FLAG : result.key;
      const served = result.errorCode ? 'error' : (result.variant ?? 'none');
      let results = counted.get(flag);
      if (!results) counted.set(flag, (results = new Map()));
      results.set(served, (results.get(served) ?? 0) + 1);
      duration.observe(seconds);
    },
  });
}

export const flagMetricsPlugin = fp(flagMetrics, {
  name: 'flag-service/metrics',
  fastify: '5.x',
  dependencies: ['flag-service/flags'],
});

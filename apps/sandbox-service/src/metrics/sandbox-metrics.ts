import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SandboxMetricSources {
  stateCounts?: () => Promise<Record<string, number>>;
  queueDepth?: () => Promise<Record<string, number>>;
}

export type SandboxMetrics = ReturnType<typeof createSandboxMetrics>;

/**
 * The sandbox series (names from issue 4). Idempotent per registry, so an in-process worker can
 * share the API's registry in tests without registering twice.
 */
export function createSandboxMetrics(registry: Registry, sources: SandboxMetricSources = {}) {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const operations =
    existing<Counter<'operation' | 'status'>>('sandbox_operations_total') ??
    new Counter({
      name: 'sandbox_operations_total',
      help: 'Sandbox operations by operation and outcome.',
      labelNames: ['operation', 'status'] as const,
      registers: [registry],
    });
  const duration =
    existing<Histogram<'operation'>>('sandbox_operation_duration_seconds') ??
    new Histogram({
      name: 'sandbox_operation_duration_seconds',
      help: 'Time to apply a sandbox operation.',
      labelNames: ['operation'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  const executions =
    existing<Counter<'tool' | 'status'>>('sandbox_executions_total') ??
    new Counter({
      name: 'sandbox_executions_total',
      help: 'Finished tool executions by tool and outcome.',
      labelNames: ['tool', 'status'] as const,
      registers: [registry],
    });
  const executionDuration =
    existing<Histogram<'tool'>>('sandbox_execution_duration_seconds') ??
    new Histogram({
      name: 'sandbox_execution_duration_seconds',
      help: 'Running time of tool executions (paused time excluded).',
      labelNames: ['tool'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    });
  if (sources.stateCounts && !existing('sandbox_state_count')) {
    const read = sources.stateCounts;
    new Gauge({
      name: 'sandbox_state_count',
      help: 'Sandboxes per state.',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        for (const [state, count] of Object.entries(await read())) this.set({ state }, count);
      },
    });
  }
  if (sources.queueDepth && !existing('sandbox_queue_depth')) {
    const read = sources.queueDepth;
    new Gauge({
      name: 'sandbox_queue_depth',
      help: 'Jobs waiting or delayed per queue.',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        for (const [queue, depth] of Object.entries(await read())) this.set({ queue }, depth);
      },
    });
  }

  /** Times `work` and counts it as ok or by the error code it threw. */
  async function observe<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const end = duration.startTimer({ operation });
    try {
      const result = await work();
      operations.inc({ operation, status: 'ok' });
      return result;
    } catch (error) {
      operations.inc({ operation, status: (error as { code?: string }).code ?? 'error' });
      throw error;
    } finally {
      end();
    }
  }

  return { operations, duration, executions, executionDuration, observe };
}

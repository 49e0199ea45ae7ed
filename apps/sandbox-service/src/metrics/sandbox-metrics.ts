import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IsolationLevel } from '../drivers/sandbox-driver.js';

export interface SandboxMetricSources {
  /** The driver's isolation level: one series with value 1 (`sandbox_isolation_level{level}`). */
  isolation?: IsolationLevel;
  stateCounts?: () => Promise<Record<string, number>>;
  queueDepth?: () => Promise<Record<string, number>>;
}

/** Operations take milliseconds (Redis round trips); executions seconds to half an hour. */
const OPERATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const EXECUTION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800];

export type SandboxMetrics = ReturnType<typeof createSandboxMetrics>;

/**
 * The sandbox series (names from issue 4). Idempotent per registry, so an in-process worker can
 * share the API's registry in tests without registering twice.
 */
export function createSandboxMetrics(registry: Registry, sources: SandboxMetricSources = {}) {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    existing<Counter<L>>(name) ?? new Counter({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) =>
    existing<Histogram<L>>(name) ??
    new Histogram({ name, help, labelNames, buckets, registers: [registry] });
  /** A gauge read from `read` at each scrape, one series per key; absent without a source. */
  const gauge = (
    name: string,
    help: string,
    label: string,
    read: (() => Promise<Record<string, number>>) | undefined,
  ) => {
    if (!read || existing(name)) return;
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      async collect() {
        for (const [value, count] of Object.entries(await read()))
          this.set({ [label]: value }, count);
      },
    });
  };

  const operations = counter(
    'sandbox_operations_total',
    'Sandbox operations by operation and outcome.',
    ['operation', 'status'],
  );
  const duration = histogram(
    'sandbox_operation_duration_seconds',
    'Time to apply a sandbox operation.',
    ['operation'],
    OPERATION_BUCKETS,
  );
  const executions = counter(
    'sandbox_executions_total',
    'Finished tool executions by tool and outcome.',
    ['tool', 'status'],
  );
  const executionDuration = histogram(
    'sandbox_execution_duration_seconds',
    'Running time of tool executions (paused time excluded).',
    ['tool'],
    EXECUTION_BUCKETS,
  );
  const driverFailures = counter(
    'sandbox_driver_failures_total',
    'Freezes, thaws and kills the driver could not confirm (the sandbox moved to error).',
    ['operation'],
  );
  if (sources.isolation && !existing('sandbox_isolation_level')) {
    const level = new Gauge({
      name: 'sandbox_isolation_level',
      help: 'How sandboxes are isolated on this instance: 1 for the level in use (isolated or process).',
      labelNames: ['level'],
      registers: [registry],
    });
    for (const name of ['isolated', 'process'] as const)
      level.set({ level: name }, name === sources.isolation ? 1 : 0);
  }
  gauge('sandbox_state_count', 'Sandboxes per state.', 'state', sources.stateCounts);
  gauge('sandbox_queue_depth', 'Jobs waiting or delayed per queue.', 'queue', sources.queueDepth);

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

  return { operations, duration, executions, executionDuration, driverFailures, observe };
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TaskRecord } from './task-record.js';

/** Every `reason` label tasks_failed_total takes. */
const FAILURE_REASONS = ['deadline_exceeded', 'error', 'retried'] as const;

const SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600];

export type TaskMetrics = ReturnType<typeof createTaskMetrics>;

/**
 * Task series. Counted where the transition commits (API or worker, each process its own
 * counters, summed by Prometheus); tasks_open is read from Redis at scrape, so it is the same
 * on every instance. Idempotent per registry (an in-process worker may share the API's).
 */
export function createTaskMetrics(
  registry: Registry,
  openCounts?: () => Promise<Record<string, number>>,
) {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    existing<Counter<L>>(name) ?? new Counter({ name, help, labelNames, registers: [registry] });
  const histogram = (name: string, help: string) =>
    existing<Histogram>(name) ??
    new Histogram({ name, help, buckets: SECONDS_BUCKETS, registers: [registry] });
  const created = counter('tasks_created_total', 'Tasks created.', []);
  const completed = counter('tasks_completed_total', 'Tasks completed.', []);
  const failed = counter('tasks_failed_total', 'Tasks failed, by reason.', ['reason']);
  // Series exist from the start, so rate() and alerts see 0 rather than no data before a failure.
  for (const reason of FAILURE_REASONS) failed.inc({ reason }, 0);
  const duration = histogram('task_duration_seconds', 'Time from accepted to completed or failed.');
  const wait = histogram('task_wait_seconds', 'Time from created to accepted.');
  if (openCounts && !existing('tasks_open'))
    new Gauge({
      name: 'tasks_open',
      help: 'Open tasks by state.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        for (const [state, count] of Object.entries(await openCounts()))
          if (state === 'pending' || state === 'assigned' || state === 'accepted')
            this.set({ state }, count);
      },
    });

  return {
    created: (_task: TaskRecord) => created.inc(),
    transitioned(before: TaskRecord, after: TaskRecord) {
      const now = after.updatedAt;
      if (after.state === 'accepted' && before.state === 'assigned' && before.acceptedAt === null)
        wait.observe((now - after.createdAt) / 1000);
      if (after.state === 'completed') completed.inc();
      if (after.state === 'failed') {
        const reason: (typeof FAILURE_REASONS)[number] =
          (after.error as { code?: unknown } | null)?.code === 'deadline_exceeded'
            ? 'deadline_exceeded'
            : 'error';
        failed.inc({ reason });
      }
      if (after.state === 'pending' && before.state === 'accepted')
        failed.inc({ reason: 'retried' });
      if (
        before.state === 'accepted' &&
        before.acceptedAt !== null &&
        !['assigned', 'accepted'].includes(after.state)
      )
        duration.observe((now - before.acceptedAt) / 1000);
    },
  };
}

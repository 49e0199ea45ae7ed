import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { type Job, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SandboxRuntimeSettings } from '../config.js';
import { createTaskMetrics } from '../tasks/task-metrics.js';
import { createTaskRuntime } from '../tasks/task-runtime.js';
import type { TaskTimerJob } from '../tasks/task-timers.js';

/**
 * Runs the task timers (accept timeouts, deadlines, retries) and the periodic assignment sweep.
 * A job that dies with its worker is picked up again (stalled-job recovery); every job re-reads
 * the task and applies only to the version it was set for, so running one twice is harmless.
 */
export async function startTaskTimerWorker(options: {
  commands: RedisClient;
  connection: RedisClient;
  keyspace: Keyspace;
  settings: SandboxRuntimeSettings;
  registry: Registry;
  log: Logger;
}) {
  const { settings, log } = options;
  const runtime = createTaskRuntime({
    redis: options.commands,
    keyspace: options.keyspace,
    settings,
    onQueueError: (error) => log.warn({ err: error }, 'task queue connection error'),
    log: { warn: (details, message) => log.warn(details, message) },
    metrics: createTaskMetrics(options.registry),
  });
  const { operations } = runtime;
  const worker = new Worker<TaskTimerJob>(
    options.keyspace.queues.taskTimers,
    async (job: Job<TaskTimerJob>) => {
      const data = job.data;
      if (data.kind === 'accept-timeout')
        await operations.acceptTimedOut(data.taskId, data.version);
      else if (data.kind === 'deadline') await operations.deadlinePassed(data.taskId);
      else if (data.kind === 'retry') await operations.retryDue(data.taskId);
      else await operations.sweep();
    },
    {
      connection: options.connection,
      prefix: options.keyspace.queues.bullmqPrefix,
      concurrency: 8,
      lockDuration: settings.WORKER_LOCK_DURATION_MS,
      stalledInterval: settings.WORKER_LOCK_DURATION_MS,
      maxStalledCount: 3,
    },
  );
  worker.on('error', (error) => log.error({ err: error }, 'task timer worker error'));
  worker.on('failed', (job, error) =>
    log.warn({ err: error, jobId: job?.id }, 'task timer failed'),
  );
  await worker.waitUntilReady();
  await runtime.timers.scheduleSweep(settings.TASK_ASSIGN_SWEEP_MS);
  return {
    runtime,
    close: async () => {
      await worker.close();
      await runtime.close();
    },
  };
}

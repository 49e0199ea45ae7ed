import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, createRedis } from '@switchboard/redis';
import { Worker } from 'bullmq';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { type SandboxRuntimeSettings, runtimeSettings } from '../config.js';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';
import { createSandboxMetrics } from '../metrics/sandbox-metrics.js';
import { type SandboxRuntime, createSandboxRuntime } from '../runtime/sandbox-runtime.js';
import type { AutoPauseJobData, ExecutionJobData } from '../schemas/control.js';
import { createAutoPauseProcessor } from './auto-pause-processor.js';
import { startControlListener } from './control-listener.js';
import { createExecutionProcessor } from './execution-processor.js';
import { createRunSlots } from './run-slots.js';
import { createSandboxStateApplier } from './sandbox-state-applier.js';
import { startTaskTimerWorker } from './task-timer-worker.js';

/**
 * BullMQ may hold this many jobs per run slot: frozen executions keep their jobs (and locks)
 * without a run slot (run-slots.ts), and jobs waiting for a slot wait in order in the worker.
 */
const JOBS_PER_RUN_SLOT = 4;

export interface WorkerOptions {
  redisUrl: string;
  settings?: Partial<SandboxRuntimeSettings>;
  keyspace: Keyspace;
  driver?: SandboxDriver;
  /** Where execution and auto-pause metrics go (tests pass the app's registry). */
  registry?: Registry;
  logger?: Logger;
}

export interface SandboxWorker {
  runtime: SandboxRuntime;
  registry: Registry;
  /** Stops taking jobs, waits for running ones, closes connections. */
  close(): Promise<void>;
}

/**
 * A worker: executes queued tool runs, ticks auto-pause checks, and freezes/thaws this host's
 * sandbox processes on control messages. Any number may run; they share nothing but Redis.
 */
export async function startWorker(options: WorkerOptions): Promise<SandboxWorker> {
  const settings = runtimeSettings(options.settings);
  const log = options.logger ?? pino({ level: 'silent' });
  // BullMQ wants connections that retry forever (maxRetriesPerRequest null).
  const connect = (name: string): RedisClient =>
    createRedis(options.redisUrl, { name, maxRetriesPerRequest: null });
  const commands = connect('sandbox-worker');
  const registry = options.registry ?? new Registry();
  const runtime = createSandboxRuntime({
    redis: commands,
    settings,
    onQueueError: (error) => log.warn({ err: error }, 'queue connection error'),
    log: { warn: (details, message) => log.warn(details, message) },
    keyspace: options.keyspace,
    ...(options.driver ? { driver: options.driver } : {}),
    onDriverFailure: (operation) => metrics.driverFailures.inc({ operation }),
  });
  const metrics = createSandboxMetrics(registry, { isolation: runtime.driver.isolation });
  const slots = createRunSlots({
    capacity: settings.WORKER_CONCURRENCY,
    tenantShare: settings.SANDBOX_TENANT_MAX_SHARE,
  });
  const applier = createSandboxStateApplier(runtime, log, metrics, slots);
  const ks = runtime.keyspace;

  const executionConnection = connect('sandbox-worker-executions');
  const executionWorker = new Worker<ExecutionJobData>(
    ks.queues.sandboxExecutions,
    createExecutionProcessor({ runtime, metrics, applier, log, slots }),
    {
      connection: executionConnection,
      prefix: ks.queues.bullmqPrefix,
      concurrency: settings.WORKER_CONCURRENCY * JOBS_PER_RUN_SLOT,
      // A worker that dies mid-job loses its lock; another worker picks the job up after about this long.
      lockDuration: settings.WORKER_LOCK_DURATION_MS,
      stalledInterval: settings.WORKER_LOCK_DURATION_MS,
      maxStalledCount: 3,
    },
  );
  const autoPauseConnection = connect('sandbox-worker-auto-pause');
  const autoPauseWorker = new Worker<AutoPauseJobData>(
    ks.queues.sandboxAutoPause,
    createAutoPauseProcessor({ runtime, metrics, log }),
    {
      connection: autoPauseConnection,
      prefix: ks.queues.bullmqPrefix,
      concurrency: 4,
    },
  );
  for (const worker of [executionWorker, autoPauseWorker]) {
    worker.on('error', (error) => log.error({ err: error }, 'worker error'));
    worker.on('failed', (job, error) => log.warn({ err: error, jobId: job?.id }, 'job failed'));
  }
  const control = await startControlListener(options.redisUrl, runtime, applier, log);
  const taskConnection = connect('sandbox-worker-task-timers');
  const taskTimers = await startTaskTimerWorker({
    commands,
    connection: taskConnection,
    keyspace: ks,
    settings,
    registry,
    log,
  });
  await Promise.all([executionWorker.waitUntilReady(), autoPauseWorker.waitUntilReady()]);

  return {
    runtime,
    registry,
    close: async () => {
      await control.close();
      await Promise.all([executionWorker.close(), autoPauseWorker.close(), taskTimers.close()]);
      await runtime.close();
      await Promise.all(
        [commands, executionConnection, autoPauseConnection, taskConnection].map((connection) =>
          connection.quit().catch(() => connection.disconnect()),
        ),
      );
    },
  };
}

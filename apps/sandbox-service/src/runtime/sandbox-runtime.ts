import type { Keyspace } from '@switchboard/keyspace';
import { type Outbox, type OutboxLog, createOutbox } from '@switchboard/outbox';
import type { RedisClient } from '@switchboard/redis';
import { createPublisher, roomLogSettings } from '@switchboard/room-log';
import type { SandboxRuntimeSettings } from '../config.js';
import { createExecutionStore, type ExecutionStore } from '../domain/execution-store.js';
import { createSandboxStore, type SandboxStore } from '../domain/sandbox-store.js';
import { selectDriver } from '../drivers/driver-selection.js';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';
import { createToolRegistry, type ToolRegistry } from '../tools/tool-registry.js';
import { createSandboxQueues, type SandboxQueues } from './queues.js';
import { sandboxEventsOf } from './sandbox-events.js';
import { createSandboxOperations, type SandboxOperations } from './sandbox-operations.js';

export interface SandboxRuntime {
  settings: SandboxRuntimeSettings;
  keyspace: Keyspace;
  redis: RedisClient;
  sandboxes: SandboxStore;
  executions: ExecutionStore;
  driver: SandboxDriver;
  /** Why this driver was chosen (or what the isolated one lacked on this host). */
  driverReason: string;
  tools: ToolRegistry;
  /** Publishes what the stores committed to a sandbox's outbox (see sandbox-events.ts). */
  events: Outbox;
  queues: SandboxQueues;
  operations: SandboxOperations;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  redis: RedisClient;
  settings: SandboxRuntimeSettings;
  keyspace: Keyspace;
  driver?: SandboxDriver;
  /** Connection errors of the queues (BullMQ throws an 'error' event nobody listens to). */
  onQueueError(error: Error): void;
  onDriverFailure?: (operation: 'freeze' | 'thaw') => void;
  /** Where the outbox reports entries it had to drop or could not publish yet. */
  log?: OutboxLog;
}

/** Once per process: the API and an in-process worker would otherwise repeat it. */
let warnedProcessDriver = false;

/** Everything the API and the workers share, built over one Redis connection. Stateless apart from Redis. */
export function createSandboxRuntime(options: RuntimeOptions): SandboxRuntime {
  const { redis, settings } = options;
  const ks = options.keyspace;
  const choice = options.driver
    ? { driver: options.driver, reason: 'given by the caller' }
    : selectDriver(settings);
  const driver = choice.driver;
  if (driver.isolation === 'process' && !warnedProcessDriver) {
    warnedProcessDriver = true;
    options.log?.warn(
      { driver: driver.name, reason: choice.reason },
      'sandboxes run WITHOUT isolation (process driver): executions see the host, its processes and each other',
    );
  }
  const sandboxes = createSandboxStore({
    redis,
    keyspace: ks,
    historyMax: settings.SANDBOX_HISTORY_MAX,
  });
  const executions = createExecutionStore({
    redis,
    keyspace: ks,
    ttlSec: settings.EXECUTION_TTL_SEC,
    perSandboxMax: settings.EXECUTION_HISTORY_MAX,
  });
  const events = createOutbox({
    redis,
    publisher: createPublisher(redis, { keyspace: ks, ...roomLogSettings(settings) }),
    keys: {
      stream: ks.sandbox.outbox,
      lock: ks.sandbox.outboxLock,
      pending: ks.sandbox.outboxPending(),
    },
    translate: sandboxEventsOf,
    sweepAfterMs: settings.OUTBOX_SWEEP_AFTER_MS,
    ...(options.log ? { log: options.log } : {}),
  });
  // Every API instance and worker sweeps: a commit whose process died is published by the others.
  const stopSweeper = events.startSweeper(settings.OUTBOX_SWEEP_EVERY_MS);
  const queues = createSandboxQueues(redis, ks, options.onQueueError);
  const operations = createSandboxOperations({
    redis,
    keyspace: ks,
    store: sandboxes,
    events,
    queues,
    driver,
    autoPauseEveryMs: settings.AUTO_PAUSE_CHECK_INTERVAL_MS,
    ...(options.onDriverFailure ? { onDriverFailure: options.onDriverFailure } : {}),
  });
  return {
    settings,
    keyspace: ks,
    redis,
    sandboxes,
    executions,
    driver,
    driverReason: choice.reason,
    tools: createToolRegistry({ allowExec: settings.SANDBOX_ALLOW_EXEC }),
    events,
    queues,
    operations,
    close: async () => {
      stopSweeper();
      await queues.close();
    },
  };
}

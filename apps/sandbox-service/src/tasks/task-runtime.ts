import type { Keyspace } from '@switchboard/keyspace';
import { type Outbox, type OutboxLog, createOutbox } from '@switchboard/outbox';
import type { RedisClient } from '@switchboard/redis';
import {
  type RoomLogConfig,
  createPublisher,
  createUserPresence,
  roomLogSettings,
} from '@switchboard/room-log';
import { type AgentRegistry, createAgentRegistry } from './agent-registry.js';
import type { TaskSettings } from './task-config.js';
import { taskEventsOf } from './task-events.js';
import type { TaskMetrics } from './task-metrics.js';
import { type TaskOperations, createTaskOperations } from './task-operations.js';
import { type TaskStore, createTaskStore } from './task-store.js';
import { type TaskTimers, createTaskTimers } from './task-timers.js';

export interface TaskRuntime {
  settings: TaskSettings;
  tasks: TaskStore;
  agents: AgentRegistry;
  events: Outbox;
  timers: TaskTimers;
  operations: TaskOperations;
  close(): Promise<void>;
}

/** Tasks and agents over one Redis connection, for the API and the workers alike. */
export function createTaskRuntime(options: {
  redis: RedisClient;
  keyspace: Keyspace;
  settings: TaskSettings &
    RoomLogConfig & { OUTBOX_SWEEP_EVERY_MS: number; OUTBOX_SWEEP_AFTER_MS: number };
  onQueueError(error: Error): void;
  log?: OutboxLog;
  metrics?: TaskMetrics;
}): TaskRuntime {
  const { redis, keyspace: ks, settings } = options;
  const tasks = createTaskStore({
    redis,
    keyspace: ks,
    historyMax: settings.TASK_HISTORY_MAX,
    retentionSec: settings.TASK_RETENTION_SEC,
  });
  const agents = createAgentRegistry({
    redis,
    keyspace: ks,
    presence: createUserPresence(redis, ks, { staleMs: settings.INSTANCE_STALE_MS }),
  });
  const events = createOutbox({
    redis,
    publisher: createPublisher(redis, { keyspace: ks, ...roomLogSettings(settings) }),
    keys: {
      stream: ks.tasks.outbox,
      lock: ks.tasks.outboxLock,
      pending: ks.tasks.outboxPending(),
    },
    translate: taskEventsOf,
    sweepAfterMs: settings.OUTBOX_SWEEP_AFTER_MS,
    ...(options.log ? { log: options.log } : {}),
  });
  const stopSweeper = events.startSweeper(settings.OUTBOX_SWEEP_EVERY_MS);
  const timers = createTaskTimers(redis, ks, options.onQueueError);
  const operations = createTaskOperations({
    redis,
    keyspace: ks,
    store: tasks,
    agents,
    events,
    timers,
    settings,
    metrics: options.metrics,
  });
  return {
    settings,
    tasks,
    agents,
    events,
    timers,
    operations,
    close: async () => {
      stopSweeper();
      await timers.close();
    },
  };
}

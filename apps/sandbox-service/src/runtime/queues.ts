import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { Queue } from 'bullmq';
import type { AutoPauseJobData, ExecutionJobData } from '../schemas/control.js';

export interface SandboxQueues {
  executions: Queue<ExecutionJobData>;
  autoPause: Queue<AutoPauseJobData>;
  close(): Promise<void>;
}

/** The BullMQ queues the API fills and the workers drain (names and prefix from the keyspace). */
export function createSandboxQueues(
  redis: RedisClient,
  ks: Keyspace,
  onError: (error: Error) => void,
): SandboxQueues {
  const common = { connection: redis, prefix: ks.queues.bullmqPrefix };
  const executions = new Queue<ExecutionJobData>(ks.queues.sandboxExecutions, {
    ...common,
    defaultJobOptions: {
      removeOnComplete: { count: 10_000, age: 86_400 },
      removeOnFail: { count: 10_000, age: 7 * 86_400 },
    },
  });
  const autoPause = new Queue<AutoPauseJobData>(ks.queues.sandboxAutoPause, {
    ...common,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } },
  });
  // Without a listener an 'error' event throws: a connection closed while BullMQ still
  // initialises (an app closed right after start) would become an unhandled rejection.
  executions.on('error', onError);
  autoPause.on('error', onError);
  return {
    executions,
    autoPause,
    close: async () => {
      await Promise.all([closeQueue(executions), closeQueue(autoPause)]);
    },
  };
}

/** One repeatable check per sandbox with auto-pause settings; BullMQ runs each tick once, whatever the number of workers. */
const autoPauseSchedulerId = (sandboxId: string) => `auto-pause:${sandboxId}`;

export async function scheduleAutoPause(
  queues: SandboxQueues,
  sandboxId: string,
  everyMs: number,
  enabled: boolean,
): Promise<void> {
  if (!enabled) {
    await queues.autoPause.removeJobScheduler(autoPauseSchedulerId(sandboxId));
    return;
  }
  await queues.autoPause.upsertJobScheduler(
    autoPauseSchedulerId(sandboxId),
    { every: everyMs },
    { name: 'check', data: { sandboxId } },
  );
}

/**
 * Closes a queue on a shared connection once its start-up (a version check on the connection)
 * is done, so nothing of it is still in flight when the app quits that connection.
 */
export async function closeQueue(queue: Queue): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // Only the wait matters here: a start-up that failed has nothing in flight either.
  await Promise.race([
    queue.waitUntilReady().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, 2000))),
  ]);
  clearTimeout(timer);
  await queue.close();
}

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
export function createSandboxQueues(redis: RedisClient, ks: Keyspace): SandboxQueues {
  const common = { connection: redis, prefix: ks.queues.bullmqPrefix };
  const executions = new Queue<ExecutionJobData>(ks.queues.sandboxExecutions, {
    ...common,
    defaultJobOptions: { removeOnComplete: { count: 10_000, age: 86_400 }, removeOnFail: { count: 10_000, age: 7 * 86_400 } },
  });
  const autoPause = new Queue<AutoPauseJobData>(ks.queues.sandboxAutoPause, {
    ...common,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } },
  });
  return {
    executions,
    autoPause,
    close: async () => {
      await Promise.all([executions.close(), autoPause.close()]);
    },
  };
}

/** One repeatable check per sandbox with auto-pause settings; BullMQ runs each tick once, whatever the number of workers. */
export const autoPauseSchedulerId = (sandboxId: string) => `auto-pause:${sandboxId}`;

export async function scheduleAutoPause(queues: SandboxQueues, sandboxId: string, everyMs: number, enabled: boolean): Promise<void> {
  if (!enabled) {
    await queues.autoPause.removeJobScheduler(autoPauseSchedulerId(sandboxId));
    return;
  }
  await queues.autoPause.upsertJobScheduler(autoPauseSchedulerId(sandboxId), { every: everyMs }, { name: 'check', data: { sandboxId } });
}

import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { Queue } from 'bullmq';
import { closeQueue } from '../runtime/queues.js';

export type TaskTimerJob =
  | { kind: 'accept-timeout'; taskId: string; version: number }
  | { kind: 'deadline'; taskId: string }
  | { kind: 'retry'; taskId: string }
  | { kind: 'sweep' };

const SWEEP_SCHEDULER = 'task-assign-sweep';

/**
 * The delayed jobs of tasks (accept timeouts, deadlines, retries) and the periodic sweep that
 * offers waiting tasks to agents. Every job re-reads the task and applies only if it is still as
 * the job expects (versions), so a late or repeated job changes nothing.
 */
export function createTaskTimers(redis: RedisClient, ks: Keyspace, onError: (e: Error) => void) {
  const queue = new Queue<TaskTimerJob>(ks.queues.taskTimers, {
    connection: redis,
    prefix: ks.queues.bullmqPrefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } },
  });
  queue.on('error', onError);
  return {
    queue,
    acceptTimeout: (taskId: string, version: number, delayMs: number) =>
      queue.add(
        'accept-timeout',
        { kind: 'accept-timeout', taskId, version },
        { delay: delayMs, jobId: `accept-${taskId}-${version}` },
      ),
    deadline: (taskId: string, at: number) =>
      queue.add(
        'deadline',
        { kind: 'deadline', taskId },
        { delay: Math.max(0, at - Date.now()), jobId: `deadline-${taskId}` },
      ),
    retry: (taskId: string, attempt: number, delayMs: number) =>
      queue.add(
        'retry',
        { kind: 'retry', taskId },
        { delay: delayMs, jobId: `retry-${taskId}-${attempt}` },
      ),
    /** One sweep per interval across every worker (BullMQ runs each tick once). */
    scheduleSweep: (everyMs: number) =>
      queue.upsertJobScheduler(
        SWEEP_SCHEDULER,
        { every: everyMs },
        { name: 'sweep', data: { kind: 'sweep' } },
      ),
    close: () => closeQueue(queue),
  };
}
export type TaskTimers = ReturnType<typeof createTaskTimers>;

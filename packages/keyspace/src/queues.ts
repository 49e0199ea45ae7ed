/**
 * BullMQ queue names and the BullMQ key prefix. The `{bull}` hash tag keeps each queue's keys
 * in one Redis Cluster slot, as BullMQ requires on Cluster.
 */
export function queueNames(prefix: string) {
  return {
    bullmqPrefix: `${prefix}{bull}`,
    sandboxExecutions: 'sandbox-executions',
    sandboxAutoPause: 'sandbox-auto-pause',
    offlineDeliveries: 'ws-offline-deliveries',
    /** Accept timeouts, deadlines, retries and the periodic assignment of waiting tasks. */
    taskTimers: 'task-timers',
  };
}

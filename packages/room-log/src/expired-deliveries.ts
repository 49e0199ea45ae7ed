import type { Keyspace } from '@switchboard/keyspace';
import { createRedis } from '@switchboard/redis';
import { Worker } from 'bullmq';
import { settleBeforeClose } from './bullmq-settle.js';
import type { RoomLogLogger } from './log.js';
import type { OfflineDeliveryJob } from './offline-jobs.js';

/**
 * Consumes the jobs of offline deliveries whose TTL passed. A job is delayed by the queue TTL
 * (OFFLINE_QUEUE_TTL_SEC), so it becomes due exactly when its message may no longer be
 * delivered (the gateway skips expired entries at connect); completing it removes it
 * (removeOnComplete). Without a consumer, BullMQ keeps due delayed jobs forever.
 * Jobs of delivered messages are removed at connect, those of dropped ones by their publisher.
 */
export function startExpiredDeliveriesWorker(
  redisUrl: string,
  ks: Keyspace,
  log: RoomLogLogger,
  instanceId: string,
): { close(): Promise<void> } {
  // BullMQ's blocking connection must retry forever.
  const connection = createRedis(redisUrl, {
    name: `gateway-${instanceId}-offline-expiry`,
    maxRetriesPerRequest: null,
  });
  const worker = new Worker<OfflineDeliveryJob>(
    ks.queues.offlineDeliveries,
    async () => undefined,
    {
      connection,
      prefix: ks.queues.bullmqPrefix,
      concurrency: 16,
      // Bounds for jobs added without their own (older publishers).
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 1000 },
    },
  );
  worker.on('error', (error) => log.warn({ err: error }, 'offline-deliveries expiry worker error'));
  return {
    close: async () => {
      await settleBeforeClose(worker);
      // Shutting down: a worker that fails to close has its connection cut next anyway.
      await worker.close().catch(() => undefined);
      connection.disconnect();
    },
  };
}

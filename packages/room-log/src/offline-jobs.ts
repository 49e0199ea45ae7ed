import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { Queue } from 'bullmq';
import { settleBeforeClose } from './bullmq-settle.js';

/** Data of one BullMQ job on the offline-deliveries queue (dashboard visibility only). */
export interface OfflineDeliveryJob {
  dealershipId: string;
  userId: string;
  messageId: string;
  event: string;
  seq: number;
}

/** The ids of raw published messages (those that do not parse are skipped). */
export function messageIds(raw: string[]): string[] {
  const ids: string[] = [];
  for (const entry of raw) {
    try {
      const id = (JSON.parse(entry) as { id?: unknown }).id;
      if (typeof id === 'string') ids.push(id);
    } catch {
      // not a message: nothing to remove
    }
  }
  return ids;
}

/**
 * The BullMQ jobs that make queued offline deliveries visible in the dashboard. A job lives as
 * long as its message: delayed by the queue TTL (a gateway's expiry worker completes and removes
 * it then), removed when a gateway delivers the message, and removed when the queue's max length
 * drops the message. A publisher opens the queue handle on first use (most never queue); a
 * gateway opens it at start (`open`), so its backlog gauge never sets BullMQ up mid-outage.
 */
export class OfflineJobs {
  private queue: Queue<OfflineDeliveryJob> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly onError?: (error: Error) => void,
  ) {}

  /** The job of a message just put in a user's offline queue (the only place one is added). */
  async add(job: OfflineDeliveryJob, ttlSec: number): Promise<void> {
    await this.open().add('offline-delivery', job, {
      jobId: job.messageId,
      delay: ttlSec * 1000,
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) await Promise.all(ids.map((id) => this.open().remove(id)));
  }

  /** Offline deliveries still waiting, all users (delayed + waiting jobs). */
  async backlog(): Promise<number> {
    const counts = await this.open().getJobCounts('delayed', 'waiting');
    return (counts['delayed'] ?? 0) + (counts['waiting'] ?? 0);
  }

  async close(): Promise<void> {
    if (!this.queue) return;
    await settleBeforeClose(this.queue);
    await this.queue.close();
  }

  open(): Queue<OfflineDeliveryJob> {
    if (!this.queue) {
      this.queue = new Queue<OfflineDeliveryJob>(this.ks.queues.offlineDeliveries, {
        connection: this.redis,
        prefix: this.ks.queues.bullmqPrefix,
      });
      const onError = this.onError;
      if (onError) this.queue.on('error', (error) => onError(error));
    }
    return this.queue;
  }
}

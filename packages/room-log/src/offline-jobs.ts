import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { Queue } from 'bullmq';

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
 * drops the message. The queue handle is opened on first use.
 */
export class OfflineJobs {
  private queue: Queue<OfflineDeliveryJob> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly onError?: (error: Error) => void,
  ) {}

  /** Adds the job of a message just queued, and removes those of the messages the queue dropped. */
  async queued(job: OfflineDeliveryJob, ttlSec: number, droppedMessages: string[]): Promise<void> {
    await this.jobs().add('offline-delivery', job, { jobId: job.messageId, delay: ttlSec * 1000, removeOnComplete: true, removeOnFail: 1000 });
    await this.remove(messageIds(droppedMessages));
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) await Promise.all(ids.map((id) => this.jobs().remove(id)));
  }

  /** Offline deliveries still waiting, all users (delayed + waiting jobs). */
  async backlog(): Promise<number> {
    const counts = await this.jobs().getJobCounts('delayed', 'waiting');
    return (counts['delayed'] ?? 0) + (counts['waiting'] ?? 0);
  }

  async close(): Promise<void> {
    await this.queue?.close();
  }

  private jobs(): Queue<OfflineDeliveryJob> {
    if (!this.queue) {
      this.queue = new Queue<OfflineDeliveryJob>(this.ks.queues.offlineDeliveries, { connection: this.redis, prefix: this.ks.queues.bullmqPrefix });
      const onError = this.onError;
      if (onError) this.queue.on('error', (error) => onError(error));
    }
    return this.queue;
  }
}

import { readFileSync } from 'node:fs';
import { rooms, roomKey } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import { type InstanceLiveness, type OfflineDeliveryJob, createInstanceLiveness, messageIds } from '@switchboard/publisher';
import type { RedisClient } from '@switchboard/redis';
import { Queue } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { RoomPosition } from '../fanout/history.js';
import { type LiveMessage, toLiveMessage } from '../fanout/live-message.js';

const ATTACH_SCRIPT = readFileSync(new URL('./lua/attach-user.lua', import.meta.url), 'utf8');
const REQUEUE_SCRIPT = readFileSync(new URL('./lua/requeue-user-message.lua', import.meta.url), 'utf8');

type ScriptedRedis = RedisClient & {
  switchboardAttachUser?: (connectionsKey: string, queueKey: string, seqKey: string, epochKey: string, ...args: string[]) => Promise<[string, string, string[], 'ok' | 'limit']>;
  switchboardRequeueUserMessage?: (connectionsKey: string, queueKey: string, ...args: string[]) => Promise<[number, string[]]>;
};

export interface OfflineQueueLimits {
  /** Same meaning as the publisher's: registry entries older than this are dead. */
  registryStaleMs: number;
  maxLength: number;
  ttlSec: number;
  /** Open connections a user may have across all instances. */
  maxConnectionsPerUser: number;
  /** A gateway whose ws:instances heartbeat is older than this is crashed (its entries do not count). */
  instanceStaleMs: number;
}

/** What attaching a connection gave: its queued messages and the room position, or a refusal. */
export type AttachResult = { refused: false; queued: LiveMessage[]; position: RoomPosition } | { refused: true };

/** The registry member of one connection in the user's connection set. */
export function userConnectionMember(instanceId: string, clientId: string): string {
  return `${instanceId} ${clientId}`;
}

/**
 * The gateway's side of the offline queue: at connect, register the user's connection and take
 * what was queued for them (in order); remove the matching BullMQ jobs, which only exist to make
 * queued deliveries visible in the dashboard.
 */
export class OfflineQueue {
  private readonly jobs: Queue<OfflineDeliveryJob>;
  private readonly liveness: InstanceLiveness;

  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly log: FastifyBaseLogger,
    private readonly limits: OfflineQueueLimits,
  ) {
    const client = redis as ScriptedRedis;
    if (!client.switchboardAttachUser) client.defineCommand('switchboardAttachUser', { numberOfKeys: 4, lua: ATTACH_SCRIPT });
    if (!client.switchboardRequeueUserMessage) client.defineCommand('switchboardRequeueUserMessage', { numberOfKeys: 2, lua: REQUEUE_SCRIPT });
    this.jobs = new Queue<OfflineDeliveryJob>(ks.queues.offlineDeliveries, { connection: redis, prefix: ks.queues.bullmqPrefix });
    this.jobs.on('error', (error) => log.warn({ err: error }, 'offline-deliveries queue error'));
    this.liveness = createInstanceLiveness(redis, ks, { staleMs: limits.instanceStaleMs, cacheMs: 500 });
  }

  /**
   * Registers the connection; returns what was queued (oldest first) and the user room's position
   * then, or a refusal when the user already has maxConnectionsPerUser live connections.
   */
  async attach(dealershipId: string, userId: string, member: string): Promise<AttachResult> {
    const userRoomKey = roomKey(dealershipId, rooms.user(userId));
    const staleInstances = await this.liveness.staleInstances();
    const [seq, epoch, raw, outcome] = await (this.redis as ScriptedRedis).switchboardAttachUser!(
      this.ks.realtime.userConnections(dealershipId, userId),
      this.ks.realtime.offlineQueue(dealershipId, userId),
      this.ks.realtime.roomSeq(userRoomKey),
      this.ks.realtime.roomEpoch(userRoomKey),
      member,
      String(Date.now()),
      String(this.limits.registryStaleMs * 2),
      String(this.limits.registryStaleMs),
      String(this.limits.maxConnectionsPerUser),
      staleInstances.join(' '),
    );
    if (outcome === 'limit') return { refused: true };
    const taken = raw.map(toLiveMessage).filter((message): message is LiveMessage => message !== undefined);
    if (taken.length > 0) void this.removeJobs(taken.map((message) => message.id));
    // An entry lives OFFLINE_QUEUE_TTL_SEC from its publish, like its job; the list's own TTL
    // restarts with every push, so older entries can still be in it.
    const expiredBefore = Date.now() - this.limits.ttlSec * 1000;
    const queued = taken.filter((message) => message.ts >= expiredBefore);
    return { refused: false, queued, position: { seq: Number(seq), epoch } };
  }

  /**
   * A user-room message arrived for a user with no connection here any more (it closed while
   * the message was on its way): back to the offline queue, unless the user is live elsewhere.
   */
  async requeue(message: LiveMessage, userId: string): Promise<boolean> {
    const staleInstances = await this.liveness.staleInstances();
    const [queued, dropped] = await (this.redis as ScriptedRedis).switchboardRequeueUserMessage!(
      this.ks.realtime.userConnections(message.dealershipId, userId),
      this.ks.realtime.offlineQueue(message.dealershipId, userId),
      message.raw,
      String(Date.now()),
      String(this.limits.registryStaleMs),
      String(this.limits.maxLength),
      String(this.limits.ttlSec),
      staleInstances.join(' '),
    );
    if (queued !== 1) return false;
    await this.jobs.add(
      'offline-delivery',
      { dealershipId: message.dealershipId, userId, messageId: message.id, event: message.event, seq: message.seq },
      { jobId: message.id, delay: this.limits.ttlSec * 1000, removeOnComplete: true, removeOnFail: 1000 },
    );
    const droppedIds = messageIds(dropped);
    if (droppedIds.length > 0) await this.removeJobs(droppedIds);
    return true;
  }

  /** Offline deliveries still waiting, all users (jobs of ws-offline-deliveries: delayed + waiting). */
  async backlog(): Promise<number> {
    const counts = await this.jobs.getJobCounts('delayed', 'waiting');
    return (counts['delayed'] ?? 0) + (counts['waiting'] ?? 0);
  }

  async detach(dealershipId: string, userId: string, member: string): Promise<void> {
    await this.redis.zrem(this.ks.realtime.userConnections(dealershipId, userId), member);
  }

  async close(): Promise<void> {
    await this.jobs.close();
  }

  private async removeJobs(ids: string[]): Promise<void> {
    try {
      await Promise.all(ids.map((id) => this.jobs.remove(id)));
    } catch (error) {
      this.log.warn({ err: error }, 'could not remove delivered offline jobs');
    }
  }
}

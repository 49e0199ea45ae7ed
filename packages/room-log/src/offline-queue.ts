import { roomKey, rooms } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, defineScript } from '@switchboard/redis';
import type { RoomPosition } from './history.js';
import { createInstanceLiveness, type InstanceLiveness } from './instance-liveness.js';
import { type LiveMessage, toLiveMessage } from './live-message.js';
import type { RoomLogLogger } from './log.js';
import { OfflineJobs, messageIds } from './offline-jobs.js';
import { ROOM_LOG_DEFAULTS } from './settings.js';

const attachUser = defineScript<[string, string, string[], 'ok' | 'limit']>(
  new URL('../lua/attach-user-4.lua', import.meta.url),
);
const requeueUserMessage = defineScript<[number, string[]]>(
  new URL('../lua/requeue-user-message-2.lua', import.meta.url),
);

export interface OfflineQueueLimits {
  /** Same meaning as the publisher's: registry entries older than this are dead. Default 30 s. */
  registryStaleMs?: number;
  maxLength: number;
  ttlSec: number;
  /** Open connections a user may have across all instances. */
  maxConnectionsPerUser: number;
  /** A gateway whose ws:instances heartbeat is older than this is crashed (its entries do not count). */
  instanceStaleMs: number;
}

/** What attaching a connection gave: its queued messages and the room position, or a refusal. */
export type AttachResult =
  { refused: false; queued: LiveMessage[]; position: RoomPosition } | { refused: true };

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
  private readonly jobs: OfflineJobs;
  private readonly liveness: InstanceLiveness;
  private readonly registryStaleMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly log: RoomLogLogger,
    private readonly limits: OfflineQueueLimits,
  ) {
    this.registryStaleMs = limits.registryStaleMs ?? ROOM_LOG_DEFAULTS.registryStaleMs;
    this.jobs = new OfflineJobs(redis, ks, (error) =>
      log.warn({ err: error }, 'offline-deliveries queue error'),
    );
    this.jobs.open();
    this.liveness = createInstanceLiveness(redis, ks, {
      staleMs: limits.instanceStaleMs,
      cacheMs: 500,
    });
  }

  /**
   * Registers the connection; returns what was queued (oldest first) and the user room's position
   * then, or a refusal when the user already has maxConnectionsPerUser live connections.
   */
  async attach(dealershipId: string, userId: string, member: string): Promise<AttachResult> {
    const userRoomKey = roomKey(dealershipId, rooms.user(userId));
    const staleInstances = await this.liveness.staleInstances();
    const [seq, epoch, raw, outcome] = await attachUser(
      this.redis,
      [
        this.ks.realtime.userConnections(dealershipId, userId),
        this.ks.realtime.offlineQueue(dealershipId, userId),
        this.ks.realtime.roomSeq(userRoomKey),
        this.ks.realtime.roomEpoch(userRoomKey),
      ],
      [
        member,
        String(Date.now()),
        String(this.registryStaleMs * 2),
        String(this.registryStaleMs),
        String(this.limits.maxConnectionsPerUser),
        staleInstances.join(' '),
      ],
    );
    if (outcome === 'limit') return { refused: true };
    const taken = raw
      .map(toLiveMessage)
      .filter((message): message is LiveMessage => message !== undefined);
    // Not awaited: the attach must not wait on BullMQ; removeJobs logs its own failures.
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
    const [queued, dropped] = await requeueUserMessage(
      this.redis,
      [
        this.ks.realtime.userConnections(message.dealershipId, userId),
        this.ks.realtime.offlineQueue(message.dealershipId, userId),
      ],
      [
        message.raw,
        String(Date.now()),
        String(this.registryStaleMs),
        String(this.limits.maxLength),
        String(this.limits.ttlSec),
        staleInstances.join(' '),
      ],
    );
    if (queued !== 1) return false;
    await this.jobs.add(
      {
        dealershipId: message.dealershipId,
        userId,
        messageId: message.id,
        event: message.event,
        seq: message.seq,
      },
      this.limits.ttlSec,
    );
    const droppedIds = messageIds(dropped);
    if (droppedIds.length > 0) await this.removeJobs(droppedIds);
    return true;
  }

  /** Offline deliveries still waiting, all users (jobs of ws-offline-deliveries: delayed + waiting). */
  backlog(): Promise<number> {
    return this.jobs.backlog();
  }

  async detach(dealershipId: string, userId: string, member: string): Promise<void> {
    await this.redis.zrem(this.ks.realtime.userConnections(dealershipId, userId), member);
  }

  async close(): Promise<void> {
    await this.jobs.close();
  }

  private async removeJobs(ids: string[]): Promise<void> {
    try {
      await this.jobs.remove(ids);
    } catch (error) {
      this.log.warn({ err: error }, 'could not remove delivered offline jobs');
    }
  }
}

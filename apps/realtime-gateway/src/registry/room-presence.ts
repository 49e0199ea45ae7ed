import { GLOBAL_ROOM } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, commandBatch } from '@switchboard/redis';
import type { FastifyBaseLogger } from 'fastify';
import type { ClientConnection } from '../connection/client-connection.js';
import type { MembershipObserver } from '../fanout/room-hub.js';
import type { RedisBreaker } from './redis-breaker.js';

/** A room's presence hash outlives its last write this long (rooms nobody leaves cleanly). */
const PRESENCE_TTL_MS = 24 * 3_600_000;

/** `<instanceId> <connectedAt ms> <userId>`: the user id last, as it may hold spaces. */
function presenceValue(instanceId: string, connection: ClientConnection): string {
  return `${instanceId} ${connection.connectedAt} ${connection.principal.sub}`;
}

export interface PresenceEntry {
  clientId: string;
  instanceId: string;
  userId: string;
  connectedAt: string;
}

export function parsePresenceValue(clientId: string, value: string): PresenceEntry | undefined {
  const first = value.indexOf(' ');
  const second = value.indexOf(' ', first + 1);
  if (first <= 0 || second <= first) return undefined;
  return {
    clientId,
    instanceId: value.slice(0, first),
    connectedAt: new Date(Number(value.slice(first + 1, second))).toISOString(),
    userId: value.slice(second + 1),
  };
}

/**
 * Writes who is in which room to Redis as memberships start and end, so any instance can
 * answer presence questions about every instance: each room's members (ws:presence; not
 * `global`, which every connection is in) and each instance's member counts per room
 * (ws:instance-rooms, the source of the room listing). Writes are fire-and-forget through the
 * breaker; entries of a crashed instance are ignored by readers (ws:instances liveness) and the
 * counts are rewritten whole every `resync`.
 *
 * The changes of one event-loop turn leave in one pipeline, with the count changes of a room
 * summed into one HINCRBY: a pipeline per membership (two per connect, two per close) was the
 * largest CPU cost of a connect storm (one socket write and one ioredis Pipeline each).
 */
export class RoomPresenceWriter implements MembershipObserver {
  /**
   * Per room key, each client's last presence change since the last flush: its entry to write
   * (value) or to delete (undefined). Only the last change of a client counts, so one HSET and
   * one HDEL per room carry a whole loop turn.
   */
  private entries = new Map<string, Map<string, string | undefined>>();
  /** Member count change per room key since the last flush. */
  private counts = new Map<string, number>();
  private flushScheduled = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly breaker: RedisBreaker,
    private readonly instanceId: string,
    private readonly enabled: () => boolean,
    private readonly log: FastifyBaseLogger,
  ) {}

  joined(connection: ClientConnection, key: string): void {
    if (!this.enabled()) return;
    if (key !== GLOBAL_ROOM)
      this.change(key, connection.id, presenceValue(this.instanceId, connection));
    this.count(key, 1);
  }

  left(connection: ClientConnection, key: string): void {
    if (!this.enabled()) return;
    if (key !== GLOBAL_ROOM) this.change(key, connection.id, undefined);
    this.count(key, -1);
  }

  /** The instance's room counts rewritten whole (drift after a Redis outage or a mode switch). */
  async resync(counts: Iterable<[string, number]>): Promise<void> {
    if (!this.enabled()) return;
    // Count changes queued so far are in the counts taken now: dropped, not added again. The
    // presence entries still go, ahead of the rewrite.
    this.counts.clear();
    this.flush();
    const key = this.ks.realtimeApi.instanceRooms(this.instanceId);
    const entries = Object.fromEntries(counts);
    await this.breaker.run(async () => {
      const multi = this.redis.multi().del(key);
      if (Object.keys(entries).length > 0) multi.hset(key, entries);
      await multi.exec();
    });
  }
  async clear(): Promise<void> {
    this.entries = new Map();
    this.counts.clear();
    await this.redis.del(this.ks.realtimeApi.instanceRooms(this.instanceId)).catch(() => 0);
  }

  private change(key: string, clientId: string, value: string | undefined): void {
    let room = this.entries.get(key);
    if (!room) this.entries.set(key, (room = new Map()));
    room.set(clientId, value);
  }

  private count(key: string, delta: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + delta);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Issues every queued change in one pipeline (nothing if the mode went off meanwhile). */
  private flush(): void {
    this.flushScheduled = false;
    const entries = this.entries;
    const counts = this.counts;
    this.entries = new Map();
    this.counts = new Map();
    if (!this.enabled() || (entries.size === 0 && counts.size === 0)) return;
    void this.breaker
      .run(async () => {
        const batch = commandBatch(this.redis);
        for (const [key, changes] of entries) {
          const presence = this.ks.realtimeApi.roomPresence(key);
          const written: string[] = [];
          const deleted: string[] = [];
          for (const [clientId, value] of changes) {
            if (value === undefined) deleted.push(clientId);
            else written.push(clientId, value);
          }
          if (deleted.length > 0) batch.hdel(presence, ...deleted);
          if (written.length > 0)
            batch.hset(presence, ...written).pexpire(presence, PRESENCE_TTL_MS);
        }
        const instanceRooms = this.ks.realtimeApi.instanceRooms(this.instanceId);
        for (const [key, delta] of counts)
          if (delta !== 0) batch.hincrby(instanceRooms, key, delta);
        await batch.exec();
      })
      .catch((error: Error) =>
        this.log.debug({ err: error }, 'presence write failed; the resync repairs it'),
      );
  }
}

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
 */
export class RoomPresenceWriter implements MembershipObserver {
  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly breaker: RedisBreaker,
    private readonly instanceId: string,
    private readonly enabled: () => boolean,
    private readonly log: FastifyBaseLogger,
  ) {}

  joined(connection: ClientConnection, key: string): void {
    this.write(key, (batch) => {
      if (key !== GLOBAL_ROOM) {
        const presence = this.ks.realtimeApi.roomPresence(key);
        batch
          .hset(presence, connection.id, presenceValue(this.instanceId, connection))
          .pexpire(presence, PRESENCE_TTL_MS);
      }
      batch.hincrby(this.ks.realtimeApi.instanceRooms(this.instanceId), key, 1);
    });
  }

  left(connection: ClientConnection, key: string): void {
    this.write(key, (batch) => {
      if (key !== GLOBAL_ROOM) batch.hdel(this.ks.realtimeApi.roomPresence(key), connection.id);
      batch.hincrby(this.ks.realtimeApi.instanceRooms(this.instanceId), key, -1);
    });
  }

  /** The instance's room counts rewritten whole (drift after a Redis outage or a mode switch). */
  async resync(counts: Iterable<[string, number]>): Promise<void> {
    if (!this.enabled()) return;
    const key = this.ks.realtimeApi.instanceRooms(this.instanceId);
    const entries = Object.fromEntries(counts);
    await this.breaker.run(async () => {
      const multi = this.redis.multi().del(key);
      if (Object.keys(entries).length > 0) multi.hset(key, entries);
      await multi.exec();
    });
  }

  async clear(): Promise<void> {
    await this.redis.del(this.ks.realtimeApi.instanceRooms(this.instanceId)).catch(() => 0);
  }

  private write(key: string, queue: (batch: ReturnType<typeof commandBatch>) => void): void {
    if (!this.enabled()) return;
    void this.breaker
      .run(async () => {
        const batch = commandBatch(this.redis);
        queue(batch);
        await batch.exec();
      })
      .catch((error: Error) =>
        this.log.debug({ err: error, room: key }, 'presence write failed; the resync repairs it'),
      );
  }
}

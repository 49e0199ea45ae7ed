import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, commandBatch } from '@switchboard/redis';
import { createInstanceLiveness } from './instance-liveness.js';
import { ROOM_LOG_DEFAULTS } from './settings.js';

export interface UserPresenceOptions {
  /** A gateway whose heartbeat is older than this (ms) is crashed: its connections do not count. */
  staleMs: number;
  /** A connection entry not refreshed for this long is dead. Default: the registry's 30 s. */
  registryStaleMs?: number;
  /** The instances zset is read at most once per this many ms. Default 500. */
  cacheMs?: number;
}

/**
 * Whether a user holds a WebSocket connection on any live gateway, read from the same registry
 * the publisher routes user rooms by (the user's connection set and the instances' heartbeats),
 * so "online" here means exactly "a user-room message would be delivered now".
 */
export function createUserPresence(redis: RedisClient, ks: Keyspace, options: UserPresenceOptions) {
  const registryStaleMs = options.registryStaleMs ?? ROOM_LOG_DEFAULTS.registryStaleMs;
  const liveness = createInstanceLiveness(redis, ks, {
    staleMs: options.staleMs,
    cacheMs: options.cacheMs ?? 500,
  });

  const liveMembers = (members: string[], stale: Set<string>) =>
    members.filter((member) => !stale.has(member.slice(0, member.indexOf(' ')))).length;

  /** Live connections per user (0 = offline). */
  async function connectionsOf(
    dealershipId: string,
    userIds: string[],
  ): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const since = String(Date.now() - registryStaleMs);
    const batch = commandBatch(redis);
    for (const userId of userIds)
      batch.zrangebyscore(ks.realtime.userConnections(dealershipId, userId), since, '+inf');
    const [replies, staleIds] = await Promise.all([batch.exec(), liveness.staleInstances()]);
    const stale = new Set(staleIds);
    const counts = new Map<string, number>();
    userIds.forEach((userId, index) => {
      const [error, members] = replies?.[index] ?? [null, []];
      if (error) throw error;
      counts.set(userId, liveMembers(members as string[], stale));
    });
    return counts;
  }

  /** The users among `userIds` with at least one live connection. */
  async function onlineOf(dealershipId: string, userIds: string[]): Promise<Set<string>> {
    const counts = await connectionsOf(dealershipId, userIds);
    return new Set(userIds.filter((userId) => (counts.get(userId) ?? 0) > 0));
  }

  return {
    onlineOf,
    /** Live connections of one user: 1 right after a first connect, 0 after the last close. */
    async connectionCount(dealershipId: string, userId: string): Promise<number> {
      return (await connectionsOf(dealershipId, [userId])).get(userId) ?? 0;
    },
    async isOnline(dealershipId: string, userId: string): Promise<boolean> {
      return (await onlineOf(dealershipId, [userId])).has(userId);
    },
  };
}

export type UserPresence = ReturnType<typeof createUserPresence>;

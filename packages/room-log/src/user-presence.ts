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
export function createUserPresence(
  redis: RedisClient,
  ks: Keyspace,
  options: UserPresenceOptions,
) {
  const registryStaleMs = options.registryStaleMs ?? ROOM_LOG_DEFAULTS.registryStaleMs;
  const liveness = createInstanceLiveness(redis, ks, {
    staleMs: options.staleMs,
    cacheMs: options.cacheMs ?? 500,
  });

  const liveMember = (members: string[], stale: Set<string>) =>
    members.some((member) => !stale.has(member.slice(0, member.indexOf(' '))));

  async function onlineOf(dealershipId: string, userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const since = String(Date.now() - registryStaleMs);
    const batch = commandBatch(redis);
    for (const userId of userIds)
      batch.zrangebyscore(ks.realtime.userConnections(dealershipId, userId), since, '+inf');
    const [replies, staleIds] = await Promise.all([batch.exec(), liveness.staleInstances()]);
    const stale = new Set(staleIds);
    const online = new Set<string>();
    userIds.forEach((userId, index) => {
      const [error, members] = replies?.[index] ?? [null, []];
      if (error) throw error;
      if (liveMember(members as string[], stale)) online.add(userId);
    });
    return online;
  }

  return {
    onlineOf,
    async isOnline(dealershipId: string, userId: string): Promise<boolean> {
      return (await onlineOf(dealershipId, [userId])).has(userId);
    },
  };
}

export type UserPresence = ReturnType<typeof createUserPresence>;

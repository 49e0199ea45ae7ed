import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';

export interface InstanceLivenessOptions {
  /** An instance whose heartbeat in the instances zset is older than this (ms) is taken for dead. */
  staleMs: number;
  /** The set is read at most once per this many ms (a publisher sends many events per read). */
  cacheMs: number;
}

/**
 * Gateway instances that stopped heartbeating in the instances zset (killed, frozen): user-room
 * messages must not be routed to them. A clean stop removes its entry; an instance in
 * single-instance mode has none, so only a stale entry marks an instance dead.
 *
 * It is a separate read, not part of the routing scripts, because the instances zset lives in
 * another Redis Cluster slot than a user's keys.
 */
export function createInstanceLiveness(
  redis: RedisClient,
  ks: Keyspace,
  options: InstanceLivenessOptions,
) {
  let cached: { at: number; stale: Promise<string[]> } | undefined;
  return {
    /** Ids of the instances with a stale heartbeat (possibly cacheMs old; none when Redis fails). */
    staleInstances(): Promise<string[]> {
      const now = Date.now();
      if (!cached || now - cached.at >= options.cacheMs) {
        const stale = redis
          .zrangebyscore(ks.realtime.instances(), '-inf', `(${now - options.staleMs}`)
          .catch(() => [] as string[]);
        cached = { at: now, stale };
      }
      return cached.stale;
    },
  };
}

export type InstanceLiveness = ReturnType<typeof createInstanceLiveness>;

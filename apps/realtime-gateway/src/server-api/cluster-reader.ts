import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import type { InstanceSnapshot } from '../registry/instance-stats.js';
import { type PresenceEntry, parsePresenceValue } from '../registry/room-presence.js';

/** Room entries scanned per instance for one listing: the listing stays bounded whatever the cluster holds. */
const MAX_SCANNED_PER_INSTANCE = 20_000;

/**
 * Cluster-wide reads for the server API, from what every instance writes to Redis (presence,
 * room counts, counter snapshots), limited to instances whose ws:instances heartbeat is fresh:
 * a crashed instance's leftovers are never reported.
 */
export class ClusterReader {
  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly staleMs: number,
  ) {}

  /** Live instance ids -> last heartbeat (ms). */
  async liveInstances(): Promise<Map<string, number>> {
    const flat = await this.redis.zrangebyscore(
      this.ks.realtime.instances(),
      Date.now() - this.staleMs,
      '+inf',
      'WITHSCORES',
    );
    const live = new Map<string, number>();
    for (let index = 0; index + 1 < flat.length; index += 2)
      live.set(flat[index]!, Number(flat[index + 1]));
    return live;
  }

  async roomPresence(key: string, limit: number): Promise<PresenceEntry[]> {
    const [live, entries] = await Promise.all([
      this.liveInstances(),
      this.redis.hgetall(this.ks.realtimeApi.roomPresence(key)),
    ]);
    const present: PresenceEntry[] = [];
    const dead: string[] = [];
    for (const [clientId, value] of Object.entries(entries)) {
      const entry = parsePresenceValue(clientId, value);
      if (!entry || !live.has(entry.instanceId)) dead.push(clientId);
      else if (present.length < limit) present.push(entry);
    }
    // A crashed instance's members go once someone looks (the hash also expires when idle).
    if (dead.length > 0)
      await this.redis.hdel(this.ks.realtimeApi.roomPresence(key), ...dead).catch(() => 0);
    return present;
  }

  /** Members of one room on every live instance (room key, e.g. `d:A:project:1` or `global`). */
  async roomMembers(key: string): Promise<number> {
    const live = [...(await this.liveInstances()).keys()];
    const counts = await Promise.all(
      live.map((id) => this.redis.hget(this.ks.realtimeApi.instanceRooms(id), key)),
    );
    return counts.reduce((sum, count) => sum + Math.max(0, Number(count ?? 0)), 0);
  }

  /** Rooms whose key starts with `keyPrefix`, with members summed over live instances; at most `limit`. */
  async listRooms(
    keyPrefix: string,
    limit: number,
  ): Promise<Array<{ key: string; members: number }>> {
    const live = [...(await this.liveInstances()).keys()];
    const totals = new Map<string, number>();
    const pattern = `${keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for (const instanceId of live) {
      let cursor = '0';
      let scanned = 0;
      do {
        const [next, flat] = await this.redis.hscan(
          this.ks.realtimeApi.instanceRooms(instanceId),
          cursor,
          'MATCH',
          pattern,
          'COUNT',
          500,
        );
        cursor = next;
        scanned += 500;
        for (let index = 0; index + 1 < flat.length; index += 2) {
          const members = Number(flat[index + 1]);
          if (members > 0) totals.set(flat[index]!, (totals.get(flat[index]!) ?? 0) + members);
        }
      } while (cursor !== '0' && scanned < MAX_SCANNED_PER_INSTANCE && totals.size < limit * 4);
    }
    return [...totals]
      .map(([key, members]) => ({ key, members }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
  }

  /** Every live instance's counters with its last heartbeat. */
  async instances(): Promise<Array<InstanceSnapshot & { lastSeenAt: string }>> {
    const [live, raw] = await Promise.all([
      this.liveInstances(),
      this.redis.hgetall(this.ks.realtimeApi.instanceStats()),
    ]);
    const result: Array<InstanceSnapshot & { lastSeenAt: string }> = [];
    for (const [instanceId, json] of Object.entries(raw)) {
      const seen = live.get(instanceId);
      if (seen === undefined) continue;
      try {
        const snapshot = JSON.parse(json) as InstanceSnapshot;
        result.push({ ...snapshot, lastSeenAt: new Date(seen).toISOString() });
      } catch {
        // A malformed entry is skipped; its instance rewrites it within a second.
      }
    }
    return result.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }
}

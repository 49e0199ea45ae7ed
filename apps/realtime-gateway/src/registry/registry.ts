import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, commandBatch, defineScript } from '@switchboard/redis';
import { userConnectionMember } from '@switchboard/room-log';
import type { ChainableCommander } from 'ioredis';
import type { ClientConnection } from '../connection/client-connection.js';
import type { RedisBreaker } from './redis-breaker.js';

export interface RegistryOptions {
  instanceId: string;
  /** Entries not refreshed for this long belong to a dead instance (they expire or are reaped). */
  ttlMs: number;
  /** Initial mode; false = single-instance mode: no ws:instances, ws:connection or subscription state. */
  enabled: boolean;
}

/** A pipeline or MULTI resolves even when its commands failed; the breaker must see failures. */
function throwOnFailure(results: Array<[Error | null, unknown]> | null): void {
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

const hashSetExpire = defineScript<number>(
  new URL('../../lua/hash-set-expire-1.lua', import.meta.url),
);

/** Room names never start with `_` (RoomName), so this field cannot collide with a room. */
const OWNER_FIELD = '__owner';
const ownerOf = (connection: ClientConnection) =>
  `${connection.principal.dealershipId}:${connection.principal.sub}`;
const sessionPosition = (seq: number, epoch: string) => `${seq}@${epoch}`;

/**
 * The cluster's view of connections: ws:connection:<clientId> hashes, the ws:instances zset
 * of heartbeats, each user's connection set (routing of user rooms) and each client's
 * subscriptions (room -> last seq), written when it subscribes so recovery needs no sticky
 * session and survives an instance crash.
 *
 * The mode can change while connections are open (REDIS_WEBSOCKET_SCALING, see setEnabled).
 * Every cluster write checks the mode inside its breaker action, i.e. when its commands are
 * issued; since all of them share one Redis connection, which runs commands in issue order,
 * no write issued before a switch can land after the switch's own cleanup or re-registration.
 */
/**
 * Connections refreshed per pipeline in a heartbeat: a batch of 250 (about 1 250 commands) held
 * the event loop 25–100 ms while it was built and its replies parsed, which a profile of the
 * fan-out bench showed as the gateway's longest tasks at low publish rates.
 */
const HEARTBEAT_BATCH = 50;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ConnectionRegistry {
  private enabled: boolean;

  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly breaker: RedisBreaker,
    private readonly options: RegistryOptions,
  ) {
    this.enabled = options.enabled;
  }

  /** true in scaled mode (the instance is part of the cluster), false in single-instance mode. */
  get isEnabled(): boolean {
    return this.enabled;
  }

  /**
   * Switches the mode at once. Off: this instance leaves ws:instances and its connections'
   * ws:connection entries go (subscription state is no longer refreshed and expires by TTL).
   * On: every open connection is registered again with its current positions, so routing and
   * recovery see it as if it had connected in scaled mode. Sockets are not touched either way.
   */
  async setEnabled(enabled: boolean, connections: Iterable<ClientConnection>): Promise<void> {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    const open = [...connections];
    if (enabled) {
      await this.breaker.run(() => {
        if (!this.enabled) return Promise.resolve();
        const pipeline = commandBatch(this.redis);
        for (const connection of open) this.queueRegister(pipeline, connection);
        this.queueHeartbeat(pipeline, open, Date.now(), true);
        return pipeline.exec().then(throwOnFailure);
      });
      return;
    }
    await this.breaker.run(() => {
      // Back on before this could be issued: the re-registration stands.
      if (this.enabled) return Promise.resolve();
      const pipeline = commandBatch(this.redis).zrem(
        this.ks.realtime.instances(),
        this.options.instanceId,
      );
      for (const connection of open) pipeline.del(this.ks.realtime.connection(connection.id));
      return pipeline.exec().then(throwOnFailure);
    });
  }

  async register(connection: ClientConnection): Promise<void> {
    // One script, not a MULTI of four commands: at thousands of connects a second the client's
    // cost per command is what the connect path spends most on.
    await this.clusterWrite(() =>
      hashSetExpire(
        this.redis,
        [this.ks.realtime.connection(connection.id)],
        [this.options.ttlMs, ...Object.entries(this.connectionFields(connection)).flat()],
      ).then(() => null),
    );
  }

  async recordSubscription(
    connection: ClientConnection,
    room: string,
    seq: number,
    epoch: string,
  ): Promise<void> {
    const key = this.ks.realtime.subscriptions(connection.id);
    await this.clusterWrite(() =>
      hashSetExpire(
        this.redis,
        [key],
        [this.options.ttlMs, OWNER_FIELD, ownerOf(connection), room, sessionPosition(seq, epoch)],
      ).then(() => null),
    );
  }

  /**
   * The rooms and positions a previous connection of the same user left behind (kept for a TTL
   * after it closed or its instance died); undefined when unknown or another user's.
   */
  async readSession(
    connection: ClientConnection,
    previousClientId: string,
  ): Promise<Record<string, { seq: number; epoch: string }> | undefined> {
    const entries = await this.redis.hgetall(this.ks.realtime.subscriptions(previousClientId));
    if (entries[OWNER_FIELD] !== ownerOf(connection)) return undefined;
    const positions: Record<string, { seq: number; epoch: string }> = {};
    for (const [room, value] of Object.entries(entries)) {
      if (room === OWNER_FIELD) continue;
      const at = value.indexOf('@');
      positions[room] = {
        seq: Number(at === -1 ? value : value.slice(0, at)),
        epoch: at === -1 ? '' : value.slice(at + 1),
      };
    }
    return positions;
  }

  async forgetSubscription(connection: ClientConnection, room: string): Promise<void> {
    await this.clusterWrite(() =>
      this.redis.multi().hdel(this.ks.realtime.subscriptions(connection.id), room).exec(),
    );
  }

  /** The connection entry goes; its subscriptions stay for a TTL so a reconnect can restore them. */
  async unregister(connection: ClientConnection): Promise<void> {
    await this.clusterWrite(() =>
      this.redis
        .multi()
        .del(this.ks.realtime.connection(connection.id))
        .pexpire(this.ks.realtime.subscriptions(connection.id), this.options.ttlMs)
        .exec(),
    );
  }

  /**
   * One heartbeat: each local user's connection set (routing of user rooms, in both modes), and
   * in scaled mode this instance in ws:instances (and on ws:health), every local entry's TTL
   * refreshed with its current positions, and instances silent for a TTL reaped.
   */
  async heartbeat(connections: Iterable<ClientConnection>): Promise<void> {
    const open = [...connections];
    // In batches: one pipeline of ~5 commands for each of thousands of connections would hold
    // the event loop (building it, then parsing every reply) long enough to show in delivery
    // latency; between batches the loop delivers.
    for (let start = 0; start === 0 || start < open.length; start += HEARTBEAT_BATCH) {
      // The reply of the previous batch resolves in the task that parsed it: without a turn of
      // the loop in between, that task would also build the next batch.
      if (start > 0) await nextTurn();
      // A connection closed since the snapshot was taken has left its user's set: refreshing it
      // would put it back, and user messages would be routed live to a socket that is gone.
      const batch = open.slice(start, start + HEARTBEAT_BATCH).filter((c) => !c.closed);
      // The pipeline is built when the breaker runs it, so it carries the mode of that moment.
      await this.breaker.run(() => {
        const pipeline = commandBatch(this.redis);
        const now = Date.now();
        for (const connection of batch) {
          const { sub, dealershipId } = connection.principal;
          const userKey = this.ks.realtime.userConnections(dealershipId, sub);
          // Expires once none of the user's connections refreshes it: no set per user ever seen.
          pipeline
            .zadd(userKey, now, userConnectionMember(this.options.instanceId, connection.id))
            .pexpire(userKey, this.options.ttlMs * 2);
        }
        if (this.enabled) this.queueHeartbeat(pipeline, batch, now, start === 0);
        return pipeline.exec().then(throwOnFailure);
      });
    }
  }

  /**
   * This instance's liveness in ws:instances, more often than the full heartbeat: publishers
   * stop routing user rooms to an instance whose entry is stale (INSTANCE_STALE_MS), so a
   * crash costs seconds of misrouting, not the registry TTL.
   */
  async announce(): Promise<void> {
    await this.clusterWrite(() =>
      this.redis
        .multi()
        .zadd(this.ks.realtime.instances(), Date.now(), this.options.instanceId)
        .exec(),
    );
  }

  async leaveCluster(): Promise<void> {
    // Best effort on the way out: an entry left behind goes stale (INSTANCE_STALE_MS) and is reaped.
    await this.clusterWrite(() =>
      this.redis.multi().zrem(this.ks.realtime.instances(), this.options.instanceId).exec(),
    ).catch(() => undefined);
  }

  /** A write that exists only in scaled mode; skipped if the mode is off when it is issued. */
  private async clusterWrite(
    issue: () => Promise<Array<[Error | null, unknown]> | null>,
  ): Promise<void> {
    if (!this.enabled) return;
    await this.breaker.run(() => (this.enabled ? issue().then(throwOnFailure) : Promise.resolve()));
  }

  private queueRegister(commands: ChainableCommander, connection: ClientConnection): void {
    const key = this.ks.realtime.connection(connection.id);
    commands.hset(key, this.connectionFields(connection)).pexpire(key, this.options.ttlMs);
  }

  /** What ws:connection:<clientId> holds. */
  private connectionFields(connection: ClientConnection): Record<string, string> {
    return {
      instance: this.options.instanceId,
      user: connection.principal.sub,
      dealership: connection.principal.dealershipId,
      role: connection.principal.role,
      ip: connection.ip,
      connectedAt: new Date(connection.connectedAt).toISOString(),
    };
  }

  /** The scaled-mode part of a heartbeat: entries refreshed, this instance announced, dead ones reaped. */
  private queueHeartbeat(
    pipeline: ChainableCommander,
    connections: ClientConnection[],
    now: number,
    announceInstance: boolean,
  ): void {
    for (const connection of connections) {
      pipeline.pexpire(this.ks.realtime.connection(connection.id), this.options.ttlMs);
      const positions: Record<string, string> = {};
      for (const [room, membership] of connection.rooms) {
        if (!membership.hold.isHolding)
          positions[room] = sessionPosition(membership.seq, membership.epoch);
      }
      if (Object.keys(positions).length > 0)
        pipeline.hset(this.ks.realtime.subscriptions(connection.id), {
          [OWNER_FIELD]: ownerOf(connection),
          ...positions,
        });
      pipeline.pexpire(this.ks.realtime.subscriptions(connection.id), this.options.ttlMs);
    }
    if (!announceInstance) return;
    pipeline.zadd(this.ks.realtime.instances(), now, this.options.instanceId);
    pipeline.zremrangebyscore(this.ks.realtime.instances(), '-inf', now - this.options.ttlMs);
    pipeline.publish(
      this.ks.realtime.healthChannel(),
      JSON.stringify({ instanceId: this.options.instanceId, at: now }),
    );
  }
}

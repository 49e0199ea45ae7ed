import { trace } from '@opentelemetry/api';
import { GLOBAL_ROOM } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import { extractTraceContext } from '@switchboard/observability';
import type { RedisClient } from '@switchboard/redis';
import {
  type ChannelSubscriber,
  type LiveMessage,
  type RoomPosition,
  coversRange,
  readHistory,
  readPosition,
  roomChannel,
  uniqueById,
} from '@switchboard/room-log';
import type { FastifyBaseLogger } from 'fastify';
import {
  type ClientConnection,
  type Membership,
  newMembership,
} from '../connection/client-connection.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { releaseFilter } from '../rooms/event-filter.js';

/** A room with members on this instance. */
interface LocalRoom {
  key: string;
  /** The channel it arrives on; undefined for `user:` rooms, which arrive on ws:direct. */
  channel: string | undefined;
  members: Set<ClientConnection>;
  /** Last seq handed to members (instance level), for gap detection on live traffic. */
  lastSeq: number | undefined;
  epoch: string | undefined;
  pending: Array<LiveMessage | 'catch-up'>;
  busy: boolean;
  /** Settles once the channel subscription is confirmed; every joiner waits for it. */
  subscribed: Promise<void>;
  /**
   * Ids of the room's latest messages: a copy under a new seq (a publisher retry) goes to no one.
   * Created with the first message: most user rooms never get one while their member is idle.
   */
  recentIds: Set<string> | undefined;
}

/**
 * Ids remembered per room (not per connection: one set serves every member, so memory does
 * not grow with members times traffic). A publisher retries within seconds; this covers far more.
 */
const RECENT_IDS_PER_ROOM = 1024;

/** What a room that needs no channel subscription waits for: one settled promise for all. */
const SUBSCRIBED: Promise<void> = Promise.resolve();

export interface ResumeResult {
  recovered: boolean;
  replayed: number;
  seq: number;
  epoch: string;
}

const tracer = trace.getTracer('realtime-gateway');

/**
 * Local rooms and their Redis channels: subscribes to a room's channel while it has members
 * here (so an instance only receives traffic it can deliver), hands each message to members
 * in seq order, and fills gaps in live traffic from history (pub/sub is at-most-once).
 */
/** Told of every membership that starts or ends here (room presence across instances). */
export interface MembershipObserver {
  joined(connection: ClientConnection, key: string): void;
  left(connection: ClientConnection, key: string): void;
}

export class RoomHub {
  private readonly rooms = new Map<string, LocalRoom>();
  observer: MembershipObserver | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly subscriber: ChannelSubscriber,
    private readonly metrics: GatewayMetrics,
    private readonly log: FastifyBaseLogger,
    private readonly onDuplicate: () => void,
  ) {}

  get size(): number {
    return this.rooms.size;
  }

  /** Adds a member (its live messages held until `resume`/`subscribe` take it live). */
  async join(
    connection: ClientConnection,
    room: string,
    key: string,
    scope: string,
    channelled: boolean,
  ): Promise<Membership> {
    let local = this.rooms.get(key);
    if (!local) {
      local = {
        key,
        channel: undefined,
        members: new Set(),
        lastSeq: undefined,
        epoch: undefined,
        pending: [],
        busy: false,
        subscribed: SUBSCRIBED,
        recentIds: undefined,
      };
      this.rooms.set(key, local);
    }
    // A user's own room arrives on ws:direct; once anyone here needs the room's channel (an admin
    // watching it), the room listens there too.
    if (channelled && !local.channel) {
      local.channel = roomChannel(this.ks, room, key);
      if (room !== GLOBAL_ROOM) {
        local.subscribed = this.subscriber
          .add(local.channel)
          .then(() => void this.metrics.roomChannels.set(this.subscriber.roomChannelCount()));
      }
    }
    await local.subscribed;
    // Everyone left (and the channel was dropped) while we waited: start over.
    if (this.rooms.get(key) !== local) return this.join(connection, room, key, scope, channelled);
    const existing = connection.rooms.get(room);
    if (existing) {
      existing.hold.holdAgain();
      return existing;
    }
    const membership = newMembership(room, key, scope);
    connection.rooms.set(room, membership);
    local.members.add(connection);
    this.observer?.joined(connection, key);
    return membership;
  }

  leave(connection: ClientConnection, room: string): boolean {
    const membership = connection.rooms.get(room);
    if (!membership) return false;
    connection.rooms.delete(room);
    releaseFilter(membership.filter);
    const local = this.rooms.get(membership.key);
    if (!local) return true;
    if (local.members.delete(connection)) this.observer?.left(connection, membership.key);
    if (local.members.size === 0) {
      this.rooms.delete(membership.key);
      if (local.channel && room !== GLOBAL_ROOM) {
        // remove() never rejects (a failed UNSUBSCRIBE is moot once the channel is not wanted).
        void this.subscriber
          .remove(local.channel)
          .then(() => this.metrics.roomChannels.set(this.subscriber.roomChannelCount()));
      }
    }
    return true;
  }

  /** Each local room's key and how many members it has here. */
  *memberCounts(): IterableIterator<[string, number]> {
    for (const [key, local] of this.rooms) yield [key, local.members.size];
  }

  leaveAll(connection: ClientConnection): void {
    for (const room of [...connection.rooms.keys()]) this.leave(connection, room);
  }

  /** Starts a membership at the room's current position (plain subscribe). */
  async startLive(
    connection: ClientConnection,
    membership: Membership,
  ): Promise<{ seq: number; epoch: string }> {
    const position = await this.position(membership.key);
    this.placeAt(membership, position);
    connection.goLive(membership);
    return position;
  }

  position(key: string): Promise<RoomPosition> {
    return readPosition(this.redis, this.ks, key);
  }

  /** Places a membership at `position` without going live: its live messages stay held. */
  placeAt(membership: Membership, position: RoomPosition): void {
    membership.seq = position.seq;
    membership.epoch = position.epoch;
    this.seedRoom(membership.key, position.seq, position.epoch);
  }

  /**
   * Replays what the client missed since `fromSeq` (in `epoch`) and continues live. Never
   * partial: either every message after fromSeq is replayed, or `recovered: false`.
   */
  async resume(
    connection: ClientConnection,
    membership: Membership,
    fromSeq: number,
    epoch: string | undefined,
  ): Promise<ResumeResult> {
    const position = await readPosition(this.redis, this.ks, membership.key);
    this.seedRoom(membership.key, position.seq, position.epoch);
    let recovered = false;
    let missed: LiveMessage[] = [];
    // A position is only meaningful in its epoch: one given without it (beyond 0) cannot be
    // told apart from a position in history that was lost and restarted, so it is not trusted.
    const sameEpoch =
      epoch === position.epoch || position.seq === 0 || (epoch === undefined && fromSeq === 0);
    if (sameEpoch && fromSeq <= position.seq) {
      missed =
        fromSeq === position.seq
          ? []
          : await readHistory(this.redis, this.ks, membership.key, fromSeq + 1, position.seq);
      recovered = coversRange(missed, fromSeq + 1, position.seq);
      missed = uniqueById(missed);
    }
    if (recovered) {
      membership.seq = fromSeq;
      membership.epoch = position.epoch;
      connection.replay(membership, missed);
      this.metrics.replayed.inc(missed.length);
    } else {
      membership.seq = position.seq;
      membership.epoch = position.epoch;
    }
    connection.goLive(membership);
    return {
      recovered,
      replayed: recovered ? missed.length : 0,
      seq: membership.seq,
      epoch: position.epoch,
    };
  }

  /** A message from Redis (room channel, ws:broadcast or ws:direct); false when no member is here. */
  receive(message: LiveMessage): boolean {
    const local = this.rooms.get(message.key);
    if (!local) return false;
    local.pending.push(message);
    // drainRoom logs its own failures and catches up on the next message.
    if (!local.busy) void this.drainRoom(local);
    return true;
  }

  /** After a Redis reconnect: fetch from history whatever every room missed meanwhile. */
  catchUpAll(): void {
    for (const local of this.rooms.values()) {
      local.pending.push('catch-up');
      // drainRoom logs its own failures.
      if (!local.busy) void this.drainRoom(local);
    }
  }

  members(key: string): number {
    return this.rooms.get(key)?.members.size ?? 0;
  }

  /** Whether one of the room's local members is that user (not an admin watching the room). */
  hasUser(key: string, dealershipId: string, sub: string): boolean {
    for (const member of this.rooms.get(key)?.members ?? []) {
      if (member.principal.sub === sub && member.principal.dealershipId === dealershipId)
        return true;
    }
    return false;
  }

  private seedRoom(key: string, seq: number, epoch: string): void {
    const local = this.rooms.get(key);
    // A room never published to is seeded too (seq 0, no epoch yet): losing its first message
    // must be noticed like any other gap.
    if (local && local.lastSeq === undefined && (epoch || seq === 0)) {
      local.lastSeq = seq;
      local.epoch = epoch;
    }
  }

  private async drainRoom(local: LocalRoom): Promise<void> {
    local.busy = true;
    try {
      while (local.pending.length > 0) {
        const next = local.pending.shift()!;
        if (next === 'catch-up') {
          await this.catchUp(local);
          continue;
        }
        if (local.lastSeq !== undefined && continuesEpoch(local, next.epoch)) {
          if (next.seq <= local.lastSeq) continue;
          if (next.seq > local.lastSeq + 1) {
            this.metrics.gapsDetected.inc();
            await this.fill(local, local.lastSeq + 1, next.seq - 1);
          }
        }
        this.fanOut(local, next);
      }
    } catch (error) {
      this.log.warn(
        { err: error, room: local.key },
        'room delivery failed; will catch up on the next message',
      );
    } finally {
      local.busy = false;
    }
  }

  private async catchUp(local: LocalRoom): Promise<void> {
    const position = await readPosition(this.redis, this.ks, local.key);
    if (local.lastSeq === undefined || !continuesEpoch(local, position.epoch)) return;
    if (position.seq > local.lastSeq) await this.fill(local, local.lastSeq + 1, position.seq);
  }

  private async fill(local: LocalRoom, fromSeq: number, toSeq: number): Promise<void> {
    const missed = await readHistory(this.redis, this.ks, local.key, fromSeq, toSeq);
    this.metrics.replayed.inc(missed.length);
    for (const message of missed) this.fanOut(local, message);
  }

  private fanOut(local: LocalRoom, message: LiveMessage): void {
    local.lastSeq = message.seq;
    local.epoch = message.epoch;
    const recentIds = (local.recentIds ??= new Set());
    if (recentIds.has(message.id)) {
      this.onDuplicate();
      return;
    }
    recentIds.add(message.id);
    if (recentIds.size > RECENT_IDS_PER_ROOM) recentIds.delete(recentIds.values().next().value!);
    const span = message.trace?.traceparent
      ? tracer.startSpan(
          'websocket.deliver',
          {
            attributes: {
              'messaging.destination.name': message.room,
              'messaging.message.id': message.id,
              'switchboard.seq': message.seq,
            },
          },
          extractTraceContext(message.trace),
        )
      : undefined;
    for (const connection of local.members) {
      const membership = connection.rooms.get(message.room);
      if (membership && membership.key === local.key) connection.deliver(membership, message);
    }
    this.metrics.deliverySeconds.observe(Math.max(0, Date.now() - message.ts) / 1000);
    span?.setAttribute('switchboard.recipients', local.members.size);
    span?.end();
  }
}

/**
 * Whether seqs in `epoch` follow the room's last seq: the same epoch, or the first epoch of a
 * room that had none when it was seeded (at seq 0).
 */
function continuesEpoch(local: LocalRoom, epoch: string): boolean {
  return epoch === local.epoch || (local.epoch === '' && local.lastSeq === 0);
}

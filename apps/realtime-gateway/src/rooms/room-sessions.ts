import { AppError, ErrorCode } from '@switchboard/errors';
import { rooms, GLOBAL_ROOM, roomKey } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import {
  type LiveMessage,
  type OfflineQueue,
  type RoomPosition,
  uniqueById,
  userConnectionMember,
} from '@switchboard/room-log';
import type { FastifyBaseLogger } from 'fastify';
import type { ClientConnection, Membership } from '../connection/client-connection.js';
import { acquireFilter, releaseFilter } from './event-filter.js';
import type { RoomHub } from '../fanout/room-hub.js';
import type { ConnectionRegistry } from '../registry/registry.js';
import { resolveRoomAccess } from './room-access.js';

export interface RoomSessionsDeps {
  redis: RedisClient;
  ks: Keyspace;
  hub: RoomHub;
  registry: ConnectionRegistry;
  offline: OfflineQueue;
  instanceId: string;
  /** Rooms one connection may be in, the automatic ones included. */
  maxRoomsPerConnection: number;
  log: FastifyBaseLogger;
  onQueuedDelivered(count: number): void;
}

/**
 * What a client does with rooms: the automatic rooms at connect (with the offline queue),
 * subscribe, unsubscribe, resume (from its own positions or a previous session) and ack. Every
 * join is checked against the caller's identity and tenant first.
 */
export class RoomSessions {
  constructor(private readonly deps: RoomSessionsDeps) {}

  /** Redis trouble must not fail the frame: the next registry heartbeat writes every position. */
  private readonly positionNotRecorded = (error: Error): void => {
    this.deps.log.debug(
      { err: error },
      'subscription position not recorded; the next heartbeat writes it',
    );
  };

  /**
   * `global` and the caller's `user:` room. Both are returned held (not live yet): a reconnecting
   * client resumes them from its own position, and live messages sent before that replay would
   * arrive ahead of the older ones it replays. Messages queued while the user was offline wait at
   * the head of the user room's hold: a client that resumes the room gets them from
   * history in order (the held copies are then dropped by seq), any other gets them first.
   *
   * `positions` is where each room starts for this connection (every later message of the room
   * is sent to it): the client keeps it, so after a crash it can resume rooms it never received
   * a message in, and miss nothing that was published meanwhile.
   */
  async joinAutomatic(connection: ClientConnection): Promise<{
    refused: boolean;
    memberships: Membership[];
    positions: Record<string, RoomPosition>;
  }> {
    const { hub, offline, log } = this.deps;
    const { principal } = connection;
    const positions: Record<string, RoomPosition> = {};
    const global = await hub.join(
      connection,
      GLOBAL_ROOM,
      GLOBAL_ROOM,
      principal.dealershipId,
      true,
    );
    const userRoom = rooms.user(principal.sub);
    const user = await hub.join(
      connection,
      userRoom,
      roomKey(principal.dealershipId, userRoom),
      principal.dealershipId,
      false,
    );
    // Both rooms are joined (their live messages held) before either read is issued, so the two
    // reads go together: one round trip before `connection.established` instead of two.
    // Redis unreachable: no position, but the room still goes live (local delivery goes on).
    const [globalPosition, attached] = await Promise.all([
      hub.position(global.key).catch(() => undefined),
      offline
        .attach(
          principal.dealershipId,
          principal.sub,
          userConnectionMember(this.deps.instanceId, connection.id),
        )
        .catch((error: Error) => {
          log.warn({ err: error }, 'offline queue unavailable');
          return undefined;
        }),
    ]);
    if (globalPosition) {
      hub.placeAt(global, globalPosition);
      positions[GLOBAL_ROOM] = globalPosition;
    }
    if (attached?.refused) return { refused: true, memberships: [global, user], positions };
    // The position read with the registration: what is above it is routed live to this connection.
    // As for the global room: without a position the user room still goes live.
    const position = attached?.position ?? (await hub.position(user.key).catch(() => undefined));
    const queued = inSeqOrder(uniqueById(attached?.queued ?? []), position?.epoch);
    if (position) {
      hub.placeAt(user, position);
      // Queued messages are at or below the position: the connection starts just before them.
      const first = queued.find((message) => message.epoch === position.epoch);
      if (first && first.seq <= position.seq) user.seq = first.seq - 1;
      positions[userRoom] = { seq: user.seq, epoch: user.epoch };
    }
    user.hold.holdFirst(queued);
    this.deps.onQueuedDelivered(queued.length);
    return { refused: false, memberships: [global, user], positions };
  }

  async subscribe(connection: ClientConnection, room: string, events?: string[]): Promise<void> {
    const joined = connection.rooms.get(room);
    if (joined) {
      // Already a member: only the filter changes (none: every event again). Its position stays,
      // so a message in flight while the filter changes is neither skipped nor sent twice.
      this.replaceFilter(joined, events);
      connection.sendFrame({ type: 'subscribed', room, seq: joined.seq, epoch: joined.epoch });
      return;
    }
    this.checkRoomLimit(connection, 1);
    const membership = await this.joinChecked(connection, room);
    this.replaceFilter(membership, events);
    const position = await this.deps.hub.startLive(connection, membership);
    connection.sendFrame({ type: 'subscribed', room, seq: position.seq, epoch: position.epoch });
    await this.deps.registry
      .recordSubscription(connection, room, position.seq, position.epoch)
      .catch(this.positionNotRecorded);
  }

  private replaceFilter(membership: Membership, events: string[] | undefined): void {
    const previous = membership.filter;
    membership.filter = acquireFilter(events);
    releaseFilter(previous);
  }

  async unsubscribe(connection: ClientConnection, room: string): Promise<void> {
    if (room === GLOBAL_ROOM || room === rooms.user(connection.principal.sub)) {
      throw new AppError(
        ErrorCode.VALIDATION_ERROR,
        'The global and own user rooms cannot be left.',
      );
    }
    this.deps.hub.leave(connection, room);
    connection.sendFrame({ type: 'unsubscribed', room });
    await this.deps.registry
      .forgetSubscription(connection, room)
      .catch((error: Error) =>
        this.deps.log.debug(
          { err: error, room },
          'left room still in the session record; it goes with the connection entries',
        ),
      );
  }

  /** One `resumed` (or `error`) frame per room; a previous session fills rooms the client did not name. */
  async resume(
    connection: ClientConnection,
    given: Record<string, number>,
    givenEpochs: Record<string, string> | undefined,
    session: string | undefined,
  ): Promise<void> {
    const positions = { ...given };
    const epochs: Record<string, string> = { ...givenEpochs };
    if (session) {
      const restored = await this.deps.registry.readSession(connection, session);
      if (!restored) {
        connection.sendFrame({
          type: 'error',
          code: ErrorCode.RECORD_NOT_FOUND,
          message: 'Unknown session.',
        });
      } else {
        // What the client says it has wins over the server's (possibly older) record.
        for (const [room, position] of Object.entries(restored)) {
          if (positions[room] !== undefined) continue;
          positions[room] = position.seq;
          if (position.epoch) epochs[room] = position.epoch;
        }
      }
    }
    // All or nothing: a resume that would pass the limit joins none of its rooms.
    const joining = Object.keys(positions).filter((room) => !connection.rooms.has(room)).length;
    if (joining > 0) this.checkRoomLimit(connection, joining);
    for (const [room, seq] of Object.entries(positions)) {
      let membership: Membership;
      try {
        membership = await this.joinChecked(connection, room);
      } catch (error) {
        const appError = error instanceof AppError ? error : new AppError(ErrorCode.INTERNAL_ERROR);
        connection.sendFrame({
          type: 'error',
          code: appError.code,
          message: appError.message,
          room,
        });
        continue;
      }
      const result = await this.deps.hub.resume(connection, membership, seq, epochs[room]);
      connection.sendFrame({ type: 'resumed', room, ...result });
      await this.deps.registry
        .recordSubscription(connection, room, result.seq, result.epoch)
        .catch(this.positionNotRecorded);
    }
  }

  /** Records the client's processed position server-side (never ahead of what it was sent). */
  ack(connection: ClientConnection, room: string, seq: number): void {
    const membership = connection.rooms.get(room);
    // Not awaited: the ack frame has no answer to wait for, and a failed write is logged.
    if (membership)
      void this.deps.registry
        .recordSubscription(connection, room, Math.min(seq, membership.seq), membership.epoch)
        .catch(this.positionNotRecorded);
  }

  /** Throws ROOM_LIMIT_EXCEEDED if joining `more` rooms would pass the connection's limit. */
  private checkRoomLimit(connection: ClientConnection, more: number): void {
    const limit = this.deps.maxRoomsPerConnection;
    if (connection.rooms.size + more > limit) {
      throw new AppError(
        ErrorCode.ROOM_LIMIT_EXCEEDED,
        `A connection may be in at most ${limit} rooms (global and your user room included); it is in ${connection.rooms.size}.`,
        { limit },
      );
    }
  }

  /** Checks the caller may join `room` (tenant, user, sandbox owner) and joins it. */
  private async joinChecked(connection: ClientConnection, room: string): Promise<Membership> {
    const decision = await resolveRoomAccess(
      this.deps.redis,
      this.deps.ks,
      connection.principal,
      room,
    );
    if (decision.kind !== 'allow') {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        decision.kind === 'deny' ? decision.reason : 'Not allowed.',
      );
    }
    // Own user rooms arrive on ws:direct (routed by the registry); anything else, including an
    // admin watching another user's room, on the room's channel.
    const channelled = room !== rooms.user(connection.principal.sub);
    return this.deps.hub.join(
      connection,
      room,
      roomKey(decision.scope, room),
      decision.scope,
      channelled,
    );
  }
}

/**
 * Queued messages by seq: a message put back in the queue late (requeue) may sit after newer
 * ones. Those of an older epoch (history lost since) keep their place, first.
 */
function inSeqOrder(messages: LiveMessage[], epoch: string | undefined): LiveMessage[] {
  const older = messages.filter((message) => message.epoch !== epoch);
  const current = messages
    .filter((message) => message.epoch === epoch)
    .sort((x, y) => x.seq - y.seq);
  return [...older, ...current];
}

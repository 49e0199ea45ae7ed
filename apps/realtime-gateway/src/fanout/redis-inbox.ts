import { parseRoom } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { type OfflineQueue, toLiveMessage } from '@switchboard/room-log';
import type { RoomHub } from './room-hub.js';
import { type DisconnectCommand, parseCommand } from '../connection/disconnect-command.js';

export interface RedisInboxDeps {
  ks: Keyspace;
  instanceId: string;
  hub: RoomHub;
  offline: OfflineQueue;
  metrics: GatewayMetrics;
  log: FastifyBaseLogger;
  /** A command sent to this instance (server API disconnect). */
  onCommand(command: DisconnectCommand): void;
}

/**
 * Where every message of the instance's pub/sub connection arrives: drain announcements are
 * logged, room messages go to the hub, and a user message routed here for a user who has left
 * goes back to the user's offline queue.
 */
export class RedisInbox {
  private readonly migrationChannel: string;
  private readonly directChannel: string;

  constructor(private readonly deps: RedisInboxDeps) {
    this.migrationChannel = deps.ks.realtime.migrationChannel();
    this.directChannel = deps.ks.realtime.directChannel(deps.instanceId);
  }

  receive(channel: string, raw: string): void {
    const { hub, log } = this.deps;
    if (channel === this.migrationChannel) {
      log.info({ announcement: raw }, 'an instance is draining');
      return;
    }
    if (channel === this.directChannel) {
      const command = parseCommand(raw);
      if (command) {
        this.deps.onCommand(command);
        return;
      }
    }
    const message = toLiveMessage(raw);
    if (!message) {
      this.deps.metrics.errors.inc({ type: 'bad_message' });
      return;
    }
    hub.receive(message);
    if (channel !== this.directChannel) return;
    const room = parseRoom(message.room);
    // Routed here for the user's own connection: if it is gone (an admin watching the room does
    // not count), the message goes back to the user's queue.
    if (
      room?.kind === 'user' &&
      room.id &&
      !hub.hasUser(message.key, message.dealershipId, room.id)
    ) {
      void this.deps.offline
        .requeue(message, room.id)
        .catch((error: Error) => log.warn({ err: error }, 'could not requeue a user message'));
    }
  }
}

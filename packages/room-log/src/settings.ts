import { type Static, Type } from '@sinclair/typebox';

/** Defaults of the room log, shared by the publishers and the gateway (they read the same keys). */
export const ROOM_LOG_DEFAULTS = {
  historySize: 1000,
  historyTtlSec: 86_400,
  /** A user-connection registry entry not refreshed for this long belongs to a dead instance. */
  registryStaleMs: 30_000,
  /**
   * A gateway whose heartbeat in the instances zset (every INSTANCE_HEARTBEAT_MS, 1 s) is older than
   * this is taken for crashed: user-room messages are no longer routed to it.
   */
  instanceStaleMs: 5_000,
  offlineQueueMaxLength: 100,
  offlineQueueTtlSec: 86_400,
} as const;

/**
 * The environment every process that publishes or delivers room events reads (gateway, sandbox
 * service and workers, flag service): each app composes it into its own config, so a bad value
 * stops the process at start with a clear error instead of falling back silently.
 */
export const RoomLogEnv = Type.Object({
  /** Messages kept per user without a live connection (oldest dropped first). */
  OFFLINE_QUEUE_MAX: Type.Integer({ default: ROOM_LOG_DEFAULTS.offlineQueueMaxLength, minimum: 1 }),
  OFFLINE_QUEUE_TTL_SEC: Type.Integer({
    default: ROOM_LOG_DEFAULTS.offlineQueueTtlSec,
    minimum: 1,
  }),
  /** Keep at 3 x the gateways' INSTANCE_HEARTBEAT_MS or more. */
  INSTANCE_STALE_MS: Type.Integer({ default: ROOM_LOG_DEFAULTS.instanceStaleMs, minimum: 1 }),
});
export type RoomLogConfig = Static<typeof RoomLogEnv>;

/** The room-log settings a process passes to its publisher and offline queue. */
export interface RoomLogSettings {
  /** Gateways whose heartbeat is older than this (ms) get no user-room messages. */
  instanceStaleMs: number;
  /** Offline queue of a user without a live connection. */
  offlineQueue: { maxLength: number; ttlSec: number };
}

export function roomLogSettings(config: RoomLogConfig): RoomLogSettings {
  return {
    instanceStaleMs: config.INSTANCE_STALE_MS,
    offlineQueue: { maxLength: config.OFFLINE_QUEUE_MAX, ttlSec: config.OFFLINE_QUEUE_TTL_SEC },
  };
}

import type { FlagReader } from '@switchboard/flags';
import { ROOM_LOG_DEFAULTS } from '@switchboard/room-log';

/** Tunables of the gateway; server.ts fills them from the env, tests shorten the timings. */
export interface GatewayOptions {
  instanceId: string;
  flags: FlagReader;
  heartbeatMs: number;
  idleTimeoutMs: number;
  drainMs: number;
  maxPayload: number;
  ratePerMinute: number;
  rateBurst: number;
  rateStrikes: number;
  connectRatePerMinute: number;
  /** For messages the gateway puts back in a user's queue; set these like the publishers'. */
  offlineQueueMax: number;
  offlineQueueTtlSec: number;
  /** A gateway whose ws:instances heartbeat is older than this is crashed; set it like the publishers'. */
  instanceStaleMs: number;
  slowConsumerBytes: number;
  registryTtlMs: number;
  /** Rooms one connection may be in, `global` and its user room included. */
  maxRoomsPerConnection: number;
  /** Open connections one user (dealership + sub) may have across all instances. */
  maxConnectionsPerUser: number;
  /** Open connections this instance takes; past it upgrades are refused 503. */
  maxConnectionsPerInstance: number;
  /** How often the instance refreshes its ws:instances heartbeat (publishers' liveness check). */
  instanceHeartbeatMs: number;
  /**
   * How long `global` and the user room stay held after connect when the client sends no frame:
   * a reconnecting client's `resume` (its first frame) must come before any live message.
   */
  automaticRoomsHoldMs: number;
  /** permessage-deflate (WS_COMPRESSION, WS_COMPRESSION_THRESHOLD); false = never negotiated. */
  compression: false | { thresholdBytes: number };
}

export const DEFAULT_GATEWAY_OPTIONS: Omit<GatewayOptions, 'instanceId' | 'flags'> = {
  heartbeatMs: 25_000,
  idleTimeoutMs: 120_000,
  drainMs: 10_000,
  maxPayload: 65_536,
  ratePerMinute: 60,
  rateBurst: 60,
  rateStrikes: 10,
  connectRatePerMinute: 600,
  offlineQueueMax: ROOM_LOG_DEFAULTS.offlineQueueMaxLength,
  offlineQueueTtlSec: ROOM_LOG_DEFAULTS.offlineQueueTtlSec,
  instanceStaleMs: ROOM_LOG_DEFAULTS.instanceStaleMs,
  slowConsumerBytes: 4 * 1024 * 1024,
  registryTtlMs: 30_000,
  instanceHeartbeatMs: 1000,
  maxRoomsPerConnection: 100,
  maxConnectionsPerUser: 20,
  maxConnectionsPerInstance: 50_000,
  automaticRoomsHoldMs: 1000,
  compression: false,
};

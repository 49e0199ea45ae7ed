import { randomBytes } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { ServiceEnv, loadConfig, portEnv } from '@switchboard/config';
import { RoomLogEnv } from '@switchboard/room-log';

/** Environment of the realtime gateway (SPEC.md, Configuration; docs/api/websocket.md). */
export const GatewayEnv = Type.Composite([
  ServiceEnv,
  /** OFFLINE_QUEUE_MAX, OFFLINE_QUEUE_TTL_SEC, INSTANCE_STALE_MS: set them alike in every publishing service. */
  RoomLogEnv,
  portEnv(3003),
  Type.Object({
    INSTANCE_ID: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    ),
    HEARTBEAT_MS: Type.Integer({ default: 25_000, minimum: 50 }),
    /** Close a connection that sends no frame for this long (clients send `ping` every heartbeatMs). */
    IDLE_TIMEOUT_MS: Type.Integer({ default: 120_000, minimum: 100 }),
    DRAIN_MS: Type.Integer({ default: 10_000, minimum: 0 }),
    /**
     * After SIGTERM, readiness answers 503 this long before clients are told to move, so the load
     * balancer (two failed checks, about 1.5 s) has taken the instance out of rotation and their
     * reconnects land elsewhere.
     */
    LEAVE_ROTATION_MS: Type.Integer({ default: 2_000, minimum: 0 }),
    MAX_PAYLOAD: Type.Integer({ default: 65_536, minimum: 256 }),
    RATE_LIMIT_PER_MIN: Type.Integer({ default: 60, minimum: 1 }),
    RATE_LIMIT_BURST: Type.Integer({ default: 60, minimum: 1 }),
    /** Rejected frames (in a row of the same minute) before the connection is closed 4429. */
    RATE_LIMIT_STRIKES: Type.Integer({ default: 10, minimum: 1 }),
    CONNECT_RATE_PER_MIN: Type.Integer({ default: 600, minimum: 1 }),
    SLOW_CONSUMER_BYTES: Type.Integer({ default: 4 * 1024 * 1024, minimum: 1024 }),
    HISTORY_SIZE: Type.Integer({ default: 1000, minimum: 1 }),
    REGISTRY_TTL_MS: Type.Integer({ default: 30_000, minimum: 1000 }),
    /** Rooms per connection, `global` and the user room included; more → error ROOM_LIMIT_EXCEEDED. */
    MAX_ROOMS_PER_CONNECTION: Type.Integer({ default: 100, minimum: 2 }),
    /** Open connections per user across all instances; one more → CONNECTION_LIMIT_EXCEEDED, close 4429. */
    MAX_CONNECTIONS_PER_USER: Type.Integer({ default: 20, minimum: 1 }),
    /** Open connections on this instance; one more upgrade → 503 (the load balancer's next try goes elsewhere). */
    MAX_CONNECTIONS_PER_INSTANCE: Type.Integer({ default: 50_000, minimum: 1 }),
    /** ws:instances heartbeat; keep the publishers' INSTANCE_STALE_MS (5 s) at 3x this or more. */
    INSTANCE_HEARTBEAT_MS: Type.Integer({ default: 1000, minimum: 100 }),
    /** permessage-deflate for clients that offer it; off by default (CPU per socket, see benchmarks). */
    WS_COMPRESSION: Type.Boolean({ default: false }),
    /** Frames smaller than this (bytes) are sent uncompressed even when compression is on. */
    WS_COMPRESSION_THRESHOLD: Type.Integer({ default: 1024, minimum: 0 }),
  }),
]);
export type GatewayConfig = Static<typeof GatewayEnv>;

export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  return loadConfig(GatewayEnv, env);
}

/** INSTANCE_ID, or a random one (printed at start by server.ts). */
export function instanceIdFrom(config: Pick<GatewayConfig, 'INSTANCE_ID'>): string {
  return config.INSTANCE_ID ?? `gw-${randomBytes(4).toString('hex')}`;
}

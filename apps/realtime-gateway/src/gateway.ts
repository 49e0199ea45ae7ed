import { randomUUID } from 'node:crypto';
import type { PrincipalClaims } from '@switchboard/auth';
import { parseRoom, rooms, GLOBAL_ROOM } from '@switchboard/events';
import { FLAGS } from '@switchboard/flags';
import { PUBLISHER_DEFAULTS } from '@switchboard/publisher';
import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import type { FastifyBaseLogger } from 'fastify';
import type WebSocket from 'ws';
import { ClientConnection } from './connection/client-connection.js';
import { type FrameContext, handleFrame } from './connection/frame-handler.js';
import { toLiveMessage } from './fanout/live-message.js';
import { ChannelSubscriber } from './fanout/redis-subscriber.js';
import { RoomHub } from './fanout/room-hub.js';
import type { GatewayOptions } from './gateway-options.js';
import { startExpiredDeliveriesWorker } from './offline-queue/expired-deliveries.js';
import { OfflineQueue, userConnectionMember } from './offline-queue/offline-queue.js';
import type { GatewayMetrics } from './plugins/gateway-metrics.js';
import { IpConnectLimiter } from './protection/ip-limiter.js';
import { CloseCode } from '@switchboard/events';
import { ErrorCode } from '@switchboard/errors';
import { RedisBreaker } from './registry/redis-breaker.js';
import { ConnectionRegistry } from './registry/registry.js';
import { RoomSessions } from './rooms/room-sessions.js';

export interface GatewayDeps {
  redis: RedisClient;
  redisUrl: string;
  ks: Keyspace;
  metrics: GatewayMetrics;
  log: FastifyBaseLogger;
  verifyToken(token: string): PrincipalClaims;
  options: GatewayOptions;
}

/** Counters for /health/websocket (the Prometheus series carry the same numbers). */
export interface GatewayStats {
  connectionsAccepted: number;
  disconnections: number;
  framesReceived: number;
  eventsDelivered: number;
  duplicatesDropped: number;
  queuedDelivered: number;
  rateLimited: number;
  slowConsumers: number;
  errors: number;
  redisReconnectAttempts: number;
}

/** Longest delay setTimeout holds (~24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The gateway of one instance: accepts authenticated sockets, keeps their rooms in the hub,
 * the registry in Redis and the instance's timers (heartbeats, registry refresh).
 */
export class Gateway {
  readonly connections = new Map<string, ClientConnection>();
  readonly hub: RoomHub;
  readonly subscriber: ChannelSubscriber;
  readonly registry: ConnectionRegistry;
  readonly offline: OfflineQueue;
  private readonly expiredDeliveries: { close(): Promise<void> };
  readonly sessions: RoomSessions;
  readonly breaker: RedisBreaker;
  readonly ipLimiter: IpConnectLimiter;
  readonly stats: GatewayStats = {
    connectionsAccepted: 0,
    disconnections: 0,
    framesReceived: 0,
    eventsDelivered: 0,
    duplicatesDropped: 0,
    queuedDelivered: 0,
    rateLimited: 0,
    slowConsumers: 0,
    errors: 0,
    redisReconnectAttempts: 0,
  };
  draining = false;
  private readonly timers: NodeJS.Timeout[] = [];
  /** When the previous heartbeat round ran (set by start()). */
  private lastHeartbeatAt = 0;
  private readonly byDealership = new Map<string, number>();
  private readonly frameContext: FrameContext;
  private readonly stopFollowingFlags: () => void;

  constructor(private readonly deps: GatewayDeps) {
    const { ks, metrics, log, options } = deps;
    const scaling = options.flags.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING);
    metrics.scalingEnabled.set(scaling ? 1 : 0);
    this.breaker = new RedisBreaker({ onStateChange: (state, code) => {
      metrics.circuitBreakerState.set(code);
      log.warn({ state }, 'redis circuit breaker changed state');
    } });
    metrics.circuitBreakerState.set(0);
    metrics.redisConnected.set(0);
    this.ipLimiter = new IpConnectLimiter(options.connectRatePerMinute);
    this.subscriber = new ChannelSubscriber({
      url: deps.redisUrl,
      name: `gateway-${options.instanceId}-sub`,
      fixedChannels: [ks.realtime.broadcastChannel(), ks.realtime.directChannel(options.instanceId), ks.realtime.migrationChannel()],
      onMessage: (channel, message) => this.onRedisMessage(channel, message),
      onReconnectAttempt: () => {
        this.stats.redisReconnectAttempts += 1;
        metrics.redisReconnectAttempts.inc();
      },
      onRecovered: () => {
        log.info('redis pub/sub recovered; catching rooms up from history');
        this.hub.catchUpAll();
      },
      onConnectionChange: (connected) => metrics.redisConnected.set(connected ? 1 : 0),
      log,
    });
    this.hub = new RoomHub(deps.redis, ks, this.subscriber, metrics, log, () => this.countDuplicate());
    this.registry = new ConnectionRegistry(deps.redis, ks, this.breaker, {
      instanceId: options.instanceId,
      ttlMs: options.registryTtlMs,
      enabled: scaling,
    });
    this.offline = new OfflineQueue(deps.redis, ks, log, {
      registryStaleMs: PUBLISHER_DEFAULTS.registryStaleMs,
      maxLength: options.offlineQueueMax,
      ttlSec: options.offlineQueueTtlSec,
      maxConnectionsPerUser: options.maxConnectionsPerUser,
      instanceStaleMs: PUBLISHER_DEFAULTS.instanceStaleMs,
    });
    this.expiredDeliveries = startExpiredDeliveriesWorker(deps.redisUrl, ks, log, options.instanceId);
    this.sessions = new RoomSessions({
      redis: deps.redis,
      ks,
      hub: this.hub,
      registry: this.registry,
      offline: this.offline,
      instanceId: options.instanceId,
      maxRoomsPerConnection: options.maxRoomsPerConnection,
      log,
      onQueuedDelivered: (count) => {
        this.stats.queuedDelivered += count;
        metrics.offlineDelivered.inc(count);
      },
    });
    this.frameContext = this.createFrameContext();
    // The live SDK reports changes within milliseconds; a static reader never changes.
    this.stopFollowingFlags =
      options.flags.onChange?.((key) => {
        if (key === FLAGS.REDIS_WEBSOCKET_SCALING) this.setScaling(options.flags.isEnabled(key));
      }) ?? (() => undefined);
  }

  /** REDIS_WEBSOCKET_SCALING as this instance applies it: true = scaled mode, false = single-instance mode. */
  get scaling(): boolean {
    return this.registry.isEnabled;
  }

  /**
   * Switches between scaled and single-instance mode while running (docs/api/websocket.md).
   * Only the cluster bookkeeping changes: open sockets, their rooms and Redis delivery stay as
   * they are, so every connection keeps working across the switch in both directions.
   */
  setScaling(enabled: boolean): void {
    if (enabled === this.scaling) return;
    const { metrics, log } = this.deps;
    metrics.scalingEnabled.set(enabled ? 1 : 0);
    log.info({ mode: enabled ? 'redis' : 'single-instance', connections: this.connections.size }, 'REDIS_WEBSOCKET_SCALING changed');
    void this.registry
      .setEnabled(enabled, this.connections.values())
      .catch((error: Error) => log.warn({ err: error }, 'registry update for the new mode failed; entries catch up on the next heartbeat or expire by TTL'));
  }

  get instanceId(): string {
    return this.deps.options.instanceId;
  }

  start(): void {
    const { options } = this.deps;
    this.lastHeartbeatAt = Date.now();
    this.timers.push(setInterval(() => this.heartbeat(), options.heartbeatMs));
    const refreshMs = Math.max(100, Math.min(options.heartbeatMs, Math.floor(options.registryTtlMs / 3)));
    const refresh = () => {
      // Also catches up with the flag for readers without change events (and any missed one).
      this.setScaling(options.flags.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING));
      void this.registry.heartbeat(this.connections.values()).catch((error: Error) => this.deps.log.debug({ err: error }, 'registry refresh failed'));
    };
    this.timers.push(setInterval(refresh, refreshMs));
    this.timers.push(setInterval(() => void this.registry.announce().catch(() => undefined), options.instanceHeartbeatMs));
    refresh();
    for (const timer of this.timers) timer.unref();
  }

  /** A socket that passed authentication at upgrade. */
  async accept(socket: WebSocket, principal: PrincipalClaims, ip: string): Promise<void> {
    const { options, metrics } = this.deps;
    const connection = new ClientConnection(
      randomUUID(),
      socket,
      principal,
      ip,
      {
        slowConsumerBytes: options.slowConsumerBytes,
        ratePerMinute: options.ratePerMinute,
        rateBurst: options.rateBurst,
        rateStrikes: options.rateStrikes,
      },
      {
        onDuplicate: () => this.countDuplicate(),
        onSlowConsumer: () => {
          this.stats.slowConsumers += 1;
          metrics.slowConsumers.inc();
        },
        onSent: () => {
          this.stats.eventsDelivered += 1;
          metrics.messages.inc({ type: 'event' });
        },
      },
    );
    this.connections.set(connection.id, connection);
    this.countConnection(principal.dealershipId, +1);
    this.stats.connectionsAccepted += 1;
    metrics.connectionsTotal.inc();
    this.armExpiry(connection);

    socket.on('pong', () => {
      connection.awaitingPong = false;
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      // Only frames count as speaking: a socket that answers pings but never sends a frame
      // (not even the app-level ping the SDK sends every heartbeatMs) times out.
      connection.lastSeen = Date.now();
      this.stats.framesReceived += 1;
      const text = isBinary ? '' : data.toString('utf8');
      connection.chain = connection.chain
        .then(() => handleFrame(this.frameContext, connection, text))
        .catch((error: Error) => this.deps.log.warn({ err: error }, 'frame handling failed'))
        .then(() => connection.releaseHeld());
    });
    socket.on('close', () => void this.release(connection));
    socket.on('error', (error: Error) => this.deps.log.debug({ err: error, clientId: connection.id }, 'socket error'));

    const userRoom = rooms.user(principal.sub);
    // Frames the client sends meanwhile wait in its chain until its automatic rooms are set up.
    connection.chain = connection.chain.then(async () => {
      const automatic = await this.sessions.joinAutomatic(connection);
      if (connection.closed) {
        // Closed while joining: release() has already run, so undo what the join added.
        this.hub.leaveAll(connection);
        await this.offline.detach(principal.dealershipId, principal.sub, userConnectionMember(this.instanceId, connection.id)).catch(() => undefined);
        return;
      }
      if (automatic.refused) {
        // Over the per-user limit: nothing was registered; release() leaves the rooms on close.
        connection.sendFrame({ type: 'error', code: ErrorCode.CONNECTION_LIMIT_EXCEEDED, message: `A user may have at most ${options.maxConnectionsPerUser} open connections.` });
        connection.close(CloseCode.RATE_LIMITED, 'too many connections for this user');
        return;
      }
      // Sent once the rooms' starting positions are known (they are in it); the automatic rooms
      // are held until the client's first frame, so nothing of theirs can come before it.
      connection.sendFrame({
        type: 'connection.established',
        clientId: connection.id,
        instanceId: options.instanceId,
        heartbeatMs: options.heartbeatMs,
        rooms: [GLOBAL_ROOM, userRoom],
        positions: automatic.positions,
      });
      connection.holdUntilFirstFrame(automatic.memberships);
      // A client that sends nothing (no resume) gets its automatic rooms live after a moment.
      setTimeout(() => {
        connection.chain = connection.chain.then(() => connection.releaseHeld());
      }, options.automaticRoomsHoldMs).unref();
      await this.registry.register(connection).catch((error: Error) => this.deps.log.debug({ err: error }, 'registry write failed'));
    }).catch((error: Error) => this.deps.log.warn({ err: error, clientId: connection.id }, 'automatic rooms failed'));
  }

  /** Tells other instances (ws:migration) that this one drains; its clients will arrive there. */
  async announceMigration(): Promise<void> {
    if (!this.scaling) return;
    const announcement = JSON.stringify({ instanceId: this.instanceId, connections: this.connections.size, at: Date.now() });
    await this.breaker.run(() => this.deps.redis.publish(this.deps.ks.realtime.migrationChannel(), announcement));
  }

  async close(): Promise<void> {
    this.stopFollowingFlags();
    for (const timer of this.timers) clearInterval(timer);
    for (const connection of this.connections.values()) connection.close(CloseCode.DRAINING, 'server closing');
    await this.registry.leaveCluster();
    await Promise.all([this.subscriber.close(), this.offline.close(), this.expiredDeliveries.close()]);
  }

  private async release(connection: ClientConnection): Promise<void> {
    if (!this.connections.delete(connection.id)) return;
    connection.closed = true;
    clearTimeout(connection.expiryTimer);
    this.stats.disconnections += 1;
    this.countConnection(connection.principal.dealershipId, -1);
    this.hub.leaveAll(connection);
    const { sub, dealershipId } = connection.principal;
    await Promise.all([
      this.offline.detach(dealershipId, sub, userConnectionMember(this.instanceId, connection.id)),
      this.registry.unregister(connection),
    ]).catch((error: Error) => this.deps.log.debug({ err: error }, 'registry cleanup failed; entries expire by TTL'));
  }

  private countConnection(dealershipId: string, delta: number): void {
    const count = (this.byDealership.get(dealershipId) ?? 0) + delta;
    if (count <= 0) this.byDealership.delete(dealershipId);
    else this.byDealership.set(dealershipId, count);
    this.deps.metrics.connectionsByDealership.set({ dealership: dealershipId }, Math.max(0, count));
    this.deps.metrics.connectionsActive.set(this.connections.size);
  }

  /** Closes 4401 when the token expires, unless an `auth` frame extended it. */
  private armExpiry(connection: ClientConnection): void {
    clearTimeout(connection.expiryTimer);
    const inMs = connection.principal.exp * 1000 - Date.now();
    // setTimeout holds at most ~24.8 days: a longer-lived token is looked at again then.
    connection.expiryTimer =
      inMs > MAX_TIMER_MS
        ? setTimeout(() => this.armExpiry(connection), MAX_TIMER_MS)
        : setTimeout(() => connection.close(CloseCode.UNAUTHORIZED, 'token expired'), Math.max(0, inMs));
    connection.expiryTimer.unref();
  }

  private countDuplicate(): void {
    this.stats.duplicatesDropped += 1;
    this.deps.metrics.deduplicated.inc();
  }

  /** WebSocket ping each heartbeat; a missing pong, or no frame for the idle timeout, closes 4408. */
  private heartbeat(): void {
    const now = Date.now();
    // A tick that runs late means this process was stalled (a long GC, CPU starvation): the
    // pongs and frames that arrived meanwhile are not read yet, so this round judges no one
    // rather than cutting off every healthy client at once.
    const stalled = now - this.lastHeartbeatAt > this.deps.options.heartbeatMs * 1.5;
    this.lastHeartbeatAt = now;
    for (const connection of this.connections.values()) {
      if (!stalled && (connection.awaitingPong || now - connection.lastSeen > this.deps.options.idleTimeoutMs)) {
        connection.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        setTimeout(() => connection.socket.terminate(), 1000).unref();
        continue;
      }
      connection.awaitingPong = true;
      try {
        connection.socket.ping();
      } catch {
        connection.socket.terminate();
      }
    }
  }

  private onRedisMessage(channel: string, raw: string): void {
    if (channel === this.deps.ks.realtime.migrationChannel()) {
      this.deps.log.info({ announcement: raw }, 'an instance is draining');
      return;
    }
    const message = toLiveMessage(raw);
    if (!message) {
      this.deps.metrics.errors.inc({ type: 'bad_message' });
      return;
    }
    this.hub.receive(message);
    if (channel !== this.deps.ks.realtime.directChannel(this.instanceId)) return;
    const room = parseRoom(message.room);
    // Routed here for the user's own connection: if it is gone (an admin watching the room does
    // not count), the message goes back to the user's queue.
    if (room?.kind === 'user' && room.id && !this.hub.hasUser(message.key, message.dealershipId, room.id)) {
      void this.offline.requeue(message, room.id).catch((error: Error) => this.deps.log.warn({ err: error }, 'could not requeue a user message'));
    }
  }

  private createFrameContext(): FrameContext {
    const { metrics } = this.deps;
    return {
      verifyToken: (token) => this.deps.verifyToken(token),
      onFrame: (type) => metrics.messages.inc({ type: `client_${type}` }),
      onRateLimited: () => {
        this.stats.rateLimited += 1;
        metrics.rateLimited.inc({ scope: 'frame' });
      },
      onError: (type) => {
        this.stats.errors += 1;
        metrics.errors.inc({ type });
      },
      reauthenticate: (connection, claims) => {
        connection.principal = claims;
        this.armExpiry(connection);
        connection.sendFrame({ type: 'auth.ok', exp: claims.exp });
      },
      ack: (connection, room, seq) => this.sessions.ack(connection, room, seq),
      subscribe: (connection, room) => this.sessions.subscribe(connection, room),
      unsubscribe: (connection, room) => this.sessions.unsubscribe(connection, room),
      resume: (connection, positions, epochs, session) => this.sessions.resume(connection, positions, epochs, session),
    };
  }
}

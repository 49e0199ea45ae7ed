import { randomUUID } from 'node:crypto';
import type { PrincipalClaims } from '@switchboard/auth';
import { CloseCode, GLOBAL_ROOM, rooms } from '@switchboard/events';
import { ErrorCode } from '@switchboard/errors';
import { FLAGS } from '@switchboard/flags';
import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import {
  type ChannelSubscriber,
  OfflineQueue,
  startExpiredDeliveriesWorker,
  userConnectionMember,
} from '@switchboard/room-log';
import type { FastifyBaseLogger } from 'fastify';
import type WebSocket from 'ws';
import {
  ClientConnection,
  type ConnectionHooks,
  type ConnectionLimits,
} from './connection/client-connection.js';
import { type FrameContext, handleFrame } from './connection/frame-handler.js';
import { type DrainOptions, type DrainResult, closeInBatches } from './drain/drain.js';
import { createFanout } from './fanout/fanout.js';
import type { RoomHub } from './fanout/room-hub.js';
import type { GatewayOptions } from './gateway-options.js';
import { Heartbeat } from './liveness/heartbeat.js';
import { TokenExpiry } from './liveness/token-expiry.js';
import { GatewayCounters } from './metrics/gateway-counters.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { IpConnectLimiter } from './protection/ip-limiter.js';
import { ClusterPresence } from './registry/cluster-presence.js';
import { AgentPresenceEvents } from './registry/agent-presence-events.js';
import { RedisBreaker } from './registry/redis-breaker.js';
import { ConnectionRegistry } from './registry/registry.js';
import { RoomSessions } from './rooms/room-sessions.js';
import { type DisconnectCommand, applyDisconnect } from './connection/disconnect-command.js';
import { InstanceStatsWriter, type InstanceSnapshot } from './registry/instance-stats.js';
import { RoomPresenceWriter } from './registry/room-presence.js';

/** Where a socket's shared listeners find the connection it belongs to. */
const OWNER = Symbol('connection');
type OwnedSocket = WebSocket & { [OWNER]: ClientConnection };
const ownerOf = (socket: WebSocket): ClientConnection => (socket as OwnedSocket)[OWNER];

interface SocketListeners {
  pong(this: WebSocket): void;
  message(this: WebSocket, data: Buffer, isBinary: boolean): void;
  close(this: WebSocket): void;
  error(this: WebSocket, error: Error): void;
}

export interface GatewayDeps {
  redis: RedisClient;
  redisUrl: string;
  ks: Keyspace;
  metrics: GatewayMetrics;
  log: FastifyBaseLogger;
  verifyToken(token: string): PrincipalClaims;
  /** The instance's readiness (/health/ready), turned away at the start of a drain. */
  readiness: { startDraining(): void; readonly draining: boolean };
  options: GatewayOptions;
}

/**
 * The gateway of one instance: builds its parts, accepts authenticated sockets and follows each
 * connection from its automatic rooms to its release, keeps the registry in Redis and drains.
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
  readonly counters: GatewayCounters;
  private isDraining = false;
  private readonly heartbeat: Heartbeat;
  private readonly tokenExpiry = new TokenExpiry();
  /** Shared by every connection (none of them closes over one). */
  private readonly connectionLimits: ConnectionLimits;
  private readonly connectionHooks: ConnectionHooks;
  private readonly socketListeners: SocketListeners;
  private readonly presence: ClusterPresence;
  private readonly frameContext: FrameContext;
  private readonly agentPresence: AgentPresenceEvents;
  private readonly roomPresence: RoomPresenceWriter;
  private readonly statsWriter: InstanceStatsWriter;
  readonly startedAt = new Date().toISOString();

  constructor(private readonly deps: GatewayDeps) {
    const { ks, metrics, log, options } = deps;
    this.breaker = new RedisBreaker({
      onStateChange: (state, code) => {
        metrics.circuitBreakerState.set(code);
        log.warn({ state }, 'redis circuit breaker changed state');
      },
    });
    metrics.circuitBreakerState.set(0);
    metrics.redisConnected.set(0);
    this.ipLimiter = new IpConnectLimiter(options.connectRatePerMinute);
    this.counters = new GatewayCounters(metrics);
    this.registry = new ConnectionRegistry(deps.redis, ks, this.breaker, {
      instanceId: options.instanceId,
      ttlMs: options.registryTtlMs,
      enabled: options.flags.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING),
    });
    this.offline = new OfflineQueue(deps.redis, ks, log, {
      maxLength: options.offlineQueueMax,
      ttlSec: options.offlineQueueTtlSec,
      maxConnectionsPerUser: options.maxConnectionsPerUser,
      instanceStaleMs: options.instanceStaleMs,
    });
    ({ subscriber: this.subscriber, hub: this.hub } = createFanout({
      redis: deps.redis,
      redisUrl: deps.redisUrl,
      ks,
      instanceId: options.instanceId,
      offline: this.offline,
      metrics,
      counters: this.counters,
      log,
      onCommand: (command) => this.applyCommand(command),
    }));
    this.roomPresence = new RoomPresenceWriter(
      deps.redis,
      ks,
      this.breaker,
      options.instanceId,
      () => this.registry.isEnabled,
      log,
    );
    this.hub.observer = this.roomPresence;
    this.statsWriter = new InstanceStatsWriter({
      redis: deps.redis,
      ks,
      log,
      intervalMs: options.instanceHeartbeatMs,
      snapshot: () => this.snapshot(),
      resync: () => this.roomPresence.resync(this.hub.memberCounts()),
      resyncEvery: 10,
      enabled: () => this.registry.isEnabled,
    });
    this.expiredDeliveries = startExpiredDeliveriesWorker(
      deps.redisUrl,
      ks,
      log,
      options.instanceId,
    );
    this.sessions = new RoomSessions({
      redis: deps.redis,
      ks,
      hub: this.hub,
      registry: this.registry,
      offline: this.offline,
      instanceId: options.instanceId,
      maxRoomsPerConnection: options.maxRoomsPerConnection,
      log,
      onQueuedDelivered: (count) => this.counters.queuedDelivered(count),
    });
    this.heartbeat = new Heartbeat(options, () => this.connections.values());
    this.presence = new ClusterPresence({
      ...options,
      registry: this.registry,
      metrics,
      log,
      connections: this.connections,
    });
    this.frameContext = this.createFrameContext();
    this.connectionLimits = {
      slowConsumerBytes: options.slowConsumerBytes,
      ratePerMinute: options.ratePerMinute,
      rateBurst: options.rateBurst,
      rateStrikes: options.rateStrikes,
    };
    this.connectionHooks = {
      onDuplicate: () => this.counters.duplicateDropped(),
      onSlowConsumer: () => this.counters.slowConsumer(),
      onSent: () => this.counters.eventDelivered(),
    };
    this.socketListeners = Gateway.socketListenersOf(this);
    this.agentPresence = new AgentPresenceEvents(deps.redis, ks, log, {
      instanceStaleMs: options.instanceStaleMs,
      offlineQueue: { maxLength: options.offlineQueueMax, ttlSec: options.offlineQueueTtlSec },
    });
  }

  /** REDIS_WEBSOCKET_SCALING as this instance applies it: true = scaled mode, false = single-instance mode. */
  get scaling(): boolean {
    return this.presence.scaling;
  }

  get instanceId(): string {
    return this.deps.options.instanceId;
  }

  /** Whether this instance holds as many connections as it may (upgrades are refused). */
  get full(): boolean {
    return this.connections.size >= this.deps.options.maxConnectionsPerInstance;
  }

  /** True once drain() has begun: new upgrades are refused and /health/websocket is degraded. */
  get draining(): boolean {
    return this.isDraining;
  }

  start(): void {
    this.heartbeat.start();
    this.tokenExpiry.start();
    this.presence.start();
    this.statsWriter.start();
  }

  /** This instance's counters for the cluster-wide stats (ws:instance-stats). */
  snapshot(): InstanceSnapshot {
    const stats = this.counters.stats;
    return {
      instanceId: this.instanceId,
      connections: this.connections.size,
      rooms: this.hub.size,
      messagesIn: stats.framesReceived,
      messagesOut: stats.eventsDelivered,
      // From the moment the instance leaves rotation (readiness 503, before drain() moves its
      // clients), so operators see a rolling restart for its whole length.
      draining: this.isDraining || this.deps.readiness.draining,
      breaker: this.breaker.state === 'isolated' ? 'open' : this.breaker.state,
      startedAt: this.startedAt,
      dealerships: this.counters.connectionsByDealership(),
    };
  }

  /** A command another instance (or this one) sent on ws:direct; returns the connections it closed. */
  applyCommand(command: DisconnectCommand): number {
    const closed = applyDisconnect(this.connections.values(), command);
    if (closed > 0)
      this.deps.log.info(
        { closed, reconnect: command.reconnect },
        'disconnected by the server API',
      );
    return closed;
  }

  /** A socket that passed authentication at upgrade; the async set-up runs (and logs its failures) in the connection's chain. */
  accept(socket: WebSocket, principal: PrincipalClaims, ip: string): void {
    const { options } = this.deps;
    const connection = new ClientConnection(
      randomUUID(),
      socket,
      principal,
      ip,
      this.connectionLimits,
      this.connectionHooks,
    );
    this.connections.set(connection.id, connection);
    this.counters.connectionOpened(principal.dealershipId);
    this.tokenExpiry.track(connection);

    // Listeners shared by every socket (this = the socket): four closures per idle connection
    // were a tenth of what it kept on the heap.
    (socket as OwnedSocket)[OWNER] = connection;
    socket.on('pong', this.socketListeners.pong);
    socket.on('message', this.socketListeners.message);
    socket.on('close', this.socketListeners.close);
    socket.on('error', this.socketListeners.error);

    const userRoom = rooms.user(principal.sub);
    // Frames the client sends meanwhile wait in its chain until its automatic rooms are set up.
    connection.inOrder(
      async () => {
        const automatic = await this.sessions.joinAutomatic(connection);
        if (connection.closed) {
          // Closed while joining: release() has already run, so undo what the join added.
          this.hub.leaveAll(connection);
          await this.offline
            .detach(
              principal.dealershipId,
              principal.sub,
              userConnectionMember(this.instanceId, connection.id),
            )
            .catch((error: Error) =>
              this.deps.log.debug(
                { err: error },
                'offline detach failed for a connection closed while joining',
              ),
            );
          return;
        }
        if (automatic.refused) {
          // Over the per-user limit: nothing was registered; release() leaves the rooms on close.
          connection.sendFrame({
            type: 'error',
            code: ErrorCode.CONNECTION_LIMIT_EXCEEDED,
            message: `A user may have at most ${options.maxConnectionsPerUser} open connections.`,
          });
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
        setTimeout(
          () => connection.inOrder(() => connection.releaseHeld()),
          options.automaticRoomsHoldMs,
        ).unref();
        // Issued now (so a later unregister lands after it) but not awaited: the client's
        // frames wait in this chain, and nothing they do reads the registry entry.
        void this.registry
          .register(connection)
          .catch((error: Error) => this.deps.log.debug({ err: error }, 'registry write failed'))
          // The user's connection set (written by the join above) now counts this connection.
          .then(() => this.agentPresence.opened(principal))
          .catch((error: Error) =>
            this.deps.log.warn({ err: error }, 'agent presence not announced'),
          );
      },
      (error) =>
        this.deps.log.warn({ err: error, clientId: connection.id }, 'automatic rooms failed'),
    );
  }

  /**
   * Graceful drain before a restart: readiness answers 503 at once (the load balancer stops
   * routing here), new upgrades are refused, the drain is announced on ws:migration, then the
   * clients are moved away in batches (closeInBatches).
   */
  async drain(options: Partial<DrainOptions> = {}): Promise<DrainResult> {
    this.deps.readiness.startDraining();
    this.isDraining = true;
    // The drain goes on without the announcement: other instances just see the clients arrive.
    await this.announceMigration().catch((error: Error) =>
      this.deps.log.warn({ err: error }, 'could not announce the drain on ws:migration'),
    );
    return closeInBatches(this.connections, { drainMs: this.deps.options.drainMs, ...options });
  }

  /** Tells other instances (ws:migration) that this one drains; its clients will arrive there. */
  private async announceMigration(): Promise<void> {
    if (!this.scaling) return;
    const announcement = JSON.stringify({
      instanceId: this.instanceId,
      connections: this.connections.size,
      at: Date.now(),
    });
    await this.breaker.run(() =>
      this.deps.redis.publish(this.deps.ks.realtime.migrationChannel(), announcement),
    );
  }

  /**
   * Starts closing every socket (1012: clients reconnect elsewhere). The HTTP server's close
   * waits for them: upgraded sockets still count as its connections until they end.
   */
  disconnectAll(): void {
    for (const connection of this.connections.values())
      connection.close(CloseCode.DRAINING, 'server closing');
  }

  async close(): Promise<void> {
    this.presence.stop();
    this.heartbeat.stop();
    this.tokenExpiry.stop();
    await this.statsWriter.stop(this.instanceId);
    this.disconnectAll();
    await this.registry.leaveCluster();
    await this.roomPresence.clear();
    await Promise.all([
      this.subscriber.close(),
      this.offline.close(),
      this.expiredDeliveries.close(),
    ]);
  }

  private async release(connection: ClientConnection): Promise<void> {
    if (!this.connections.delete(connection.id)) return;
    connection.released();
    this.tokenExpiry.untrack(connection);
    this.counters.connectionClosed(connection.principal.dealershipId);
    this.hub.leaveAll(connection);
    const { sub, dealershipId } = connection.principal;
    await Promise.all([
      this.offline.detach(dealershipId, sub, userConnectionMember(this.instanceId, connection.id)),
      this.registry.unregister(connection),
    ]).catch((error: Error) =>
      this.deps.log.debug({ err: error }, 'registry cleanup failed; entries expire by TTL'),
    );
    await this.agentPresence.closed(connection.principal);
  }

  /** A frame from the client: handled in its chain, after everything before it. */
  private frameArrived(connection: ClientConnection, data: Buffer, isBinary: boolean): void {
    // Not even the app-level ping the SDK sends every heartbeatMs: the connection goes idle.
    connection.frameArrived();
    this.counters.frameReceived();
    const text = isBinary ? '' : data.toString('utf8');
    const queued = connection.queueFrame(
      () => handleFrame(this.frameContext, connection, text),
      data.length,
      (error) => this.deps.log.warn({ err: error }, 'frame handling failed'),
    );
    if (!queued) {
      // Counted once: the frames still arriving behind the close are dropped with it.
      if (!connection.closed) {
        this.counters.frameRateLimited();
        connection.close(CloseCode.RATE_LIMITED, 'too many frames waiting');
      }
      return;
    }
    // The automatic rooms go live once the client's first frame (a resume) has been handled.
    connection.inOrder(() => connection.releaseHeld());
  }

  /** Static, so the listeners are plain functions whose `this` is the socket. */
  private static socketListenersOf(gateway: Gateway): SocketListeners {
    return {
      pong(this: WebSocket) {
        ownerOf(this).pongArrived();
      },
      message(this: WebSocket, data: Buffer, isBinary: boolean) {
        gateway.frameArrived(ownerOf(this), data, isBinary);
      },
      close(this: WebSocket) {
        // release() logs its own failures.
        void gateway.release(ownerOf(this));
      },
      error(this: WebSocket, error: Error) {
        gateway.deps.log.debug({ err: error, clientId: ownerOf(this).id }, 'socket error');
      },
    };
  }

  private createFrameContext(): FrameContext {
    return {
      verifyToken: (token) => this.deps.verifyToken(token),
      onFrame: (type) => this.counters.frameHandled(type),
      onRateLimited: () => this.counters.frameRateLimited(),
      onError: (type) => this.counters.frameError(type),
      reauthenticate: (connection, claims) => {
        connection.principal = claims;
        this.tokenExpiry.track(connection);
        connection.sendFrame({ type: 'auth.ok', exp: claims.exp });
      },
      ack: (connection, room, seq) => this.sessions.ack(connection, room, seq),
      subscribe: (connection, room, events) => this.sessions.subscribe(connection, room, events),
      unsubscribe: (connection, room) => this.sessions.unsubscribe(connection, room),
      resume: (connection, positions, epochs, session) =>
        this.sessions.resume(connection, positions, epochs, session),
    };
  }
}

import { FLAGS, type FlagReader } from '@switchboard/flags';
import type { FastifyBaseLogger } from 'fastify';
import type { ClientConnection } from '../connection/client-connection.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ConnectionRegistry } from './registry.js';

export interface ClusterPresenceDeps {
  registry: ConnectionRegistry;
  flags: FlagReader;
  metrics: GatewayMetrics;
  log: FastifyBaseLogger;
  /** The instance's open connections (a live view). */
  connections: ReadonlyMap<string, ClientConnection>;
  heartbeatMs: number;
  registryTtlMs: number;
  instanceHeartbeatMs: number;
}

/**
 * This instance's place in the cluster: follows REDIS_WEBSOCKET_SCALING while running, and
 * keeps the registry's entries and the instance heartbeat (ws:instances) fresh.
 */
export class ClusterPresence {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopFollowingFlags: () => void;

  constructor(private readonly deps: ClusterPresenceDeps) {
    const { flags, metrics } = deps;
    metrics.scalingEnabled.set(this.scaling ? 1 : 0);
    // The live SDK reports changes within milliseconds; a static reader never changes.
    this.stopFollowingFlags =
      flags.onChange?.((key) => {
        if (key === FLAGS.REDIS_WEBSOCKET_SCALING) this.setScaling(flags.isEnabled(key));
      }) ?? (() => undefined);
  }

  /** REDIS_WEBSOCKET_SCALING as this instance applies it: true = scaled mode, false = single-instance mode. */
  get scaling(): boolean {
    return this.deps.registry.isEnabled;
  }

  /**
   * Switches between scaled and single-instance mode while running (docs/api/websocket.md).
   * Only the cluster bookkeeping changes: open sockets, their rooms and Redis delivery stay as
   * they are, so every connection keeps working across the switch in both directions.
   */
  setScaling(enabled: boolean): void {
    if (enabled === this.scaling) return;
    const { metrics, log, connections } = this.deps;
    metrics.scalingEnabled.set(enabled ? 1 : 0);
    log.info(
      { mode: enabled ? 'redis' : 'single-instance', connections: connections.size },
      'REDIS_WEBSOCKET_SCALING changed',
    );
    void this.deps.registry
      .setEnabled(enabled, connections.values())
      .catch((error: Error) =>
        log.warn(
          { err: error },
          'registry update for the new mode failed; entries catch up on the next heartbeat or expire by TTL',
        ),
      );
  }

  start(): void {
    const { registry, flags, connections, log } = this.deps;
    const refreshMs = Math.max(
      100,
      Math.min(this.deps.heartbeatMs, Math.floor(this.deps.registryTtlMs / 3)),
    );
    let refreshing = false;
    const refresh = () => {
      // Also catches up with the flag for readers without change events (and any missed one).
      this.setScaling(flags.isEnabled(FLAGS.REDIS_WEBSOCKET_SCALING));
      // One at a time: a refresh of many connections on a slow Redis can outlast the interval,
      // and stacked refreshes would multiply the load that made it slow.
      if (refreshing) return;
      refreshing = true;
      void registry
        .heartbeat(connections.values())
        .catch((error: Error) => log.debug({ err: error }, 'registry refresh failed'))
        .finally(() => {
          refreshing = false;
        });
    };
    this.timers.push(setInterval(refresh, refreshMs));
    // Redis trouble is logged by the refresh above; the next tick is the retry.
    this.timers.push(
      setInterval(
        () => void registry.announce().catch(() => undefined),
        this.deps.instanceHeartbeatMs,
      ),
    );
    refresh();
    for (const timer of this.timers) timer.unref();
  }

  /** Stops following the flag and refreshing; the entries themselves go with leaveCluster. */
  stop(): void {
    this.stopFollowingFlags();
    for (const timer of this.timers) clearInterval(timer);
  }
}

import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import type { FastifyBaseLogger } from 'fastify';

/** One instance's counters as `/api/v1/websocket/stats` lists them (lastSeenAt comes from ws:instances). */
export interface InstanceSnapshot {
  instanceId: string;
  connections: number;
  rooms: number;
  messagesIn: number;
  messagesOut: number;
  draining: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  startedAt: string;
  dealerships: Record<string, number>;
}

export interface InstanceStatsWriterDeps {
  redis: RedisClient;
  ks: Keyspace;
  log: FastifyBaseLogger;
  intervalMs: number;
  snapshot(): InstanceSnapshot;
  /** Runs every `resyncEvery` ticks (the room counts rewritten whole). */
  resync(): Promise<void>;
  resyncEvery: number;
  enabled(): boolean;
}

/**
 * Publishes this instance's counters to ws:instance-stats on every tick, so any instance can
 * answer the cluster-wide stats; readers drop entries whose instance is no longer live.
 */
export class InstanceStatsWriter {
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  constructor(private readonly deps: InstanceStatsWriterDeps) {}

  start(): void {
    const tick = () => void this.write().catch(() => undefined);
    this.timer = setInterval(tick, this.deps.intervalMs);
    this.timer.unref();
    tick();
  }

  async write(): Promise<void> {
    if (!this.deps.enabled()) return;
    const snapshot = this.deps.snapshot();
    await this.deps.redis.hset(
      this.deps.ks.realtimeApi.instanceStats(),
      snapshot.instanceId,
      JSON.stringify(snapshot),
    );
    this.ticks += 1;
    if (this.ticks % this.deps.resyncEvery === 0)
      await this.deps
        .resync()
        .catch((error: Error) => this.deps.log.debug({ err: error }, 'room count resync failed'));
  }

  async stop(instanceId: string): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.deps.redis.hdel(this.deps.ks.realtimeApi.instanceStats(), instanceId).catch(() => 0);
  }
}

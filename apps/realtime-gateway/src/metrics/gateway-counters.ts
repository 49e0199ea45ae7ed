import type { GatewayMetrics } from './gateway-metrics.js';

/** What `/health/websocket` reports; the Prometheus series of the same events move with it. */
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

/**
 * The gateway's counters, kept in one place: each event is recorded once and lands both in the
 * numbers `/health/websocket` reads and in the Prometheus series `/metrics` exposes, so the two
 * cannot drift apart. Series with no health counterpart (gaps, replays, breaker state…) are
 * written to GatewayMetrics directly by their owners.
 */
export class GatewayCounters {
  private readonly counts: GatewayStats = {
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
  private readonly openByDealership = new Map<string, number>();

  constructor(private readonly metrics: GatewayMetrics) {}

  get stats(): Readonly<GatewayStats> {
    return this.counts;
  }

  /** Open connections per dealership (dealerships with none are left out). */
  connectionsByDealership(): Record<string, number> {
    return Object.fromEntries(this.openByDealership);
  }

  connectionOpened(dealershipId: string): void {
    this.counts.connectionsAccepted += 1;
    this.metrics.connectionsTotal.inc();
    this.countOpen(dealershipId, +1);
  }

  connectionClosed(dealershipId: string): void {
    this.counts.disconnections += 1;
    this.countOpen(dealershipId, -1);
  }

  frameReceived(): void {
    this.counts.framesReceived += 1;
  }

  /** A client frame that passed the rate limit and parsed (Prometheus only: health counts raw frames). */
  frameHandled(type: string): void {
    this.metrics.messages.inc({ type: `client_${type}` });
  }

  eventDelivered(): void {
    this.counts.eventsDelivered += 1;
    this.metrics.messages.inc({ type: 'event' });
  }

  duplicateDropped(): void {
    this.counts.duplicatesDropped += 1;
    this.metrics.deduplicated.inc();
  }

  queuedDelivered(count: number): void {
    this.counts.queuedDelivered += count;
    this.metrics.offlineDelivered.inc(count);
  }

  frameRateLimited(): void {
    this.counts.rateLimited += 1;
    this.metrics.rateLimited.inc({ scope: 'frame' });
  }

  slowConsumer(): void {
    this.counts.slowConsumers += 1;
    this.metrics.slowConsumers.inc();
  }

  /** A client frame that failed (`type`: invalid_frame, internal, or the error code). */
  frameError(type: string): void {
    this.counts.errors += 1;
    this.metrics.errors.inc({ type });
  }

  redisReconnectAttempt(): void {
    this.counts.redisReconnectAttempts += 1;
    this.metrics.redisReconnectAttempts.inc();
  }

  private countOpen(dealershipId: string, delta: number): void {
    const count = (this.openByDealership.get(dealershipId) ?? 0) + delta;
    if (count <= 0) this.openByDealership.delete(dealershipId);
    else this.openByDealership.set(dealershipId, count);
    this.metrics.connectionsByDealership.set({ dealership: dealershipId }, Math.max(0, count));
    this.metrics.connectionsActive.set(
      this.counts.connectionsAccepted - this.counts.disconnections,
    );
  }
}

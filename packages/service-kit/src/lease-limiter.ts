import { type RedisClient, defineScript } from '@switchboard/redis';

/** What one request's spend of a bucket decided. */
export interface LimitDecision {
  allowed: boolean;
  limit: number;
  /** Budget of the window not spent as far as this instance knows (what it leased and holds). */
  remaining: number;
  /** Milliseconds until the bucket's window ends. */
  resetMs: number;
}

export interface LeaseLimiterOptions {
  redis: RedisClient;
  windowMs: number;
  /**
   * Largest share of a bucket's limit one lease takes (default 1/20). What other instances hold
   * unspent is at most this much each, so a client is refused within that of its limit.
   */
  leaseShare?: number;
  /** Buckets held in memory at most (default 10 000); the oldest lease leaves first. */
  maxBuckets?: number;
  now?: () => number;
}

/** `{granted, leased so far in the window, ms until the window ends}` */
type LeaseReply = [number, number, number];

const takeLease = defineScript<LeaseReply>(
  new URL('../lua/take-lease-1.lua', import.meta.url),
  (reply) => (reply as number[]).map(Number) as LeaseReply,
);

/** The part of one bucket's window this instance leased, and what is left of it. */
interface Lease {
  /** Requests of the lease not spent yet. */
  left: number;
  /** Requests leased from the bucket in this window by every instance, at the last lease. */
  leased: number;
  /** When the window ends (local clock). */
  endsAt: number;
  /** A lease being taken: requests that find none left wait for it instead of asking again. */
  pending: Promise<void> | undefined;
}

/**
 * Fixed-window rate limits shared by every instance through Redis without a Redis round trip per
 * request: an instance leases a block of a bucket's window budget in one atomic script (capped at
 * the limit, so the instances' leases together never exceed it) and spends it locally, asking
 * again when the block is spent. A bucket whose budget Redis says is gone is refused locally until
 * its window ends. Leases live in a bounded map; a lease dropped from it only wastes its unspent
 * part, it never admits more.
 */
export class LeaseLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly now: () => number;
  private readonly leaseShare: number;
  private readonly maxBuckets: number;

  constructor(private readonly options: LeaseLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.leaseShare = options.leaseShare ?? 1 / 20;
    this.maxBuckets = options.maxBuckets ?? 10_000;
  }

  /** Buckets held in memory. */
  get size(): number {
    return this.leases.size;
  }

  /**
   * Spends one request of `key`'s budget: decided at once (no promise) while this instance holds
   * lease left, otherwise after one script call. Rejects when Redis cannot be asked.
   */
  spend(key: string, limit: number): LimitDecision | Promise<LimitDecision> {
    const now = this.now();
    const lease = this.current(key, now);
    if (lease) {
      const decided = this.decide(lease, limit, now);
      if (decided) return decided;
    }
    return this.spendAfterLease(key, limit);
  }

  private async spendAfterLease(key: string, limit: number): Promise<LimitDecision> {
    // A lease spent by concurrent requests while this one waited is taken again; each round
    // takes at least one request of the budget or ends the window's budget, so this ends.
    for (;;) {
      const lease = this.current(key, this.now()) ?? this.open(key);
      if (!lease.pending) {
        const decided = this.decide(lease, limit, this.now());
        if (decided) return decided;
        lease.pending = this.renew(key, lease, limit).finally(() => {
          lease.pending = undefined;
        });
      }
      await lease.pending;
    }
  }

  /** A decision from the lease alone, or undefined when a new lease must be taken first. */
  private decide(lease: Lease, limit: number, now: number): LimitDecision | undefined {
    const resetMs = lease.endsAt - now;
    if (lease.left > 0) {
      lease.left -= 1;
      return {
        allowed: true,
        limit,
        remaining: Math.max(0, limit - lease.leased + lease.left),
        resetMs,
      };
    }
    if (lease.leased >= limit) return { allowed: false, limit, remaining: 0, resetMs };
    return undefined;
  }

  private async renew(key: string, lease: Lease, limit: number): Promise<void> {
    const block = Math.max(1, Math.floor(limit * this.leaseShare));
    const [granted, leased, ttlMs] = await takeLease(
      this.options.redis,
      [key],
      [limit, block, this.options.windowMs],
    );
    const now = this.now();
    // A lease from a new window replaces what was left of the old one.
    if (lease.endsAt <= now) lease.left = 0;
    lease.left += granted;
    lease.leased = leased;
    lease.endsAt = now + ttlMs;
    // Most recently leased last: the bound below drops the buckets least recently renewed.
    this.leases.delete(key);
    this.leases.set(key, lease);
    this.bound();
  }

  /** The key's lease while its window lasts; an ended window's lease is dropped. */
  private current(key: string, now: number): Lease | undefined {
    const lease = this.leases.get(key);
    if (lease && lease.endsAt <= now && !lease.pending) {
      this.leases.delete(key);
      return undefined;
    }
    return lease;
  }

  private open(key: string): Lease {
    this.dropEnded();
    const lease: Lease = { left: 0, leased: 0, endsAt: 0, pending: undefined };
    this.leases.set(key, lease);
    this.bound();
    return lease;
  }

  /**
   * Drops a few leases whose window ended, oldest first (the map is in renewal order, and every
   * window has one length): a flood of one-off clients leaves only its live windows behind.
   */
  private dropEnded(): void {
    const now = this.now();
    let checked = 0;
    for (const [key, lease] of this.leases) {
      if (checked++ >= 4 || lease.endsAt > now || lease.pending) return;
      this.leases.delete(key);
    }
  }

  private bound(): void {
    while (this.leases.size > this.maxBuckets) {
      const oldest = this.leases.keys().next();
      if (oldest.done) return;
      this.leases.delete(oldest.value);
    }
  }
}

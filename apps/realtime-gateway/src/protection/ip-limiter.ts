import { TokenBucket } from './token-bucket.js';

/** Connection attempts per IP at upgrade time; idle buckets are forgotten so memory stays bounded. */
export class IpConnectLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; seen: number }>();

  constructor(private readonly perMinute: number) {}

  allow(ip: string, now = Date.now()): boolean {
    let entry = this.buckets.get(ip);
    if (!entry) {
      if (this.buckets.size > 50_000) this.sweep(now);
      entry = { bucket: new TokenBucket(this.perMinute, this.perMinute, now), seen: now };
      this.buckets.set(ip, entry);
    }
    entry.seen = now;
    return entry.bucket.take(now);
  }

  private sweep(now: number): void {
    for (const [ip, entry] of this.buckets) if (now - entry.seen > 60_000) this.buckets.delete(ip);
  }
}

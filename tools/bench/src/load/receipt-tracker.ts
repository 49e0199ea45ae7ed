import { type Histogram, emptyHistogram, record } from '../stats/latency-summary.js';

/**
 * Counts deliveries of one client for one step: unique vs duplicate per room (a growable bitset
 * per room indexed by the message number, cheap even at millions of deliveries), late arrivals
 * from earlier steps, and latency into a histogram.
 */
export class ReceiptTracker {
  step = -1;
  latency: Histogram = emptyHistogram();
  unique: Record<string, number> = {};
  duplicates = 0;
  late = 0;
  /** Unique deliveries of this step over all rooms. */
  total = 0;
  private readonly seen = new Map<string, Uint8Array>();

  begin(step: number): void {
    this.step = step;
    this.latency = emptyHistogram();
    this.unique = {};
    this.duplicates = 0;
    this.late = 0;
    this.total = 0;
    this.seen.clear();
  }

  /** One delivery of message `n` of `room` from step `step`, `latencyMicros` after publish. */
  receive(key: string, room: string, step: number, n: number, latencyMicros: number): void {
    if (step !== this.step) {
      if (step < this.step) this.late += 1;
      return;
    }
    let bits = this.seen.get(key);
    const byte = n >> 3;
    if (!bits || byte >= bits.length) {
      const grown = new Uint8Array(Math.max(64, (byte + 1) * 2));
      if (bits) grown.set(bits);
      bits = grown;
      this.seen.set(key, bits);
    }
    const mask = 1 << (n & 7);
    if (bits[byte]! & mask) {
      this.duplicates += 1;
      return;
    }
    bits[byte] = bits[byte]! | mask;
    this.unique[room] = (this.unique[room] ?? 0) + 1;
    this.total += 1;
    record(this.latency, latencyMicros);
  }
}

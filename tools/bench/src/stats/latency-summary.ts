/**
 * Latency math for the benchmark report. Samples are kept in a fixed-bucket log-linear
 * histogram (HdrHistogram's idea, 3 significant digits is plenty here) so a worker can record
 * millions of deliveries in constant memory and ship its histogram to the parent, which merges
 * the workers' histograms before taking percentiles.
 */

/** Sub-buckets per power of two: relative error of a reported value stays under 1/128. */
const SUB_BUCKETS = 128;
/** Values are recorded in microseconds; 2^31 µs (~36 min) is far above any bench bound. */
const MAX_EXPONENT = 31;

export interface Histogram {
  /** Bucket counts, index from `bucketIndex`. Sparse map so it travels cheaply over IPC. */
  counts: Record<number, number>;
  count: number;
  min: number;
  max: number;
  sum: number;
}

export function emptyHistogram(): Histogram {
  return { counts: {}, count: 0, min: Number.POSITIVE_INFINITY, max: 0, sum: 0 };
}

/** Bucket of a non-negative value: exact below SUB_BUCKETS, then SUB_BUCKETS per octave. */
export function bucketIndex(value: number): number {
  const v = Math.max(0, Math.floor(value));
  if (v < SUB_BUCKETS) return v;
  const exponent = Math.min(MAX_EXPONENT, Math.floor(Math.log2(v)) - Math.log2(SUB_BUCKETS) + 1);
  const sub = Math.floor(v / 2 ** exponent);
  return exponent * SUB_BUCKETS + (sub - SUB_BUCKETS / 2);
}

/** Upper bound of the values a bucket holds (what a percentile reports: never optimistic). */
export function bucketUpperBound(index: number): number {
  if (index < SUB_BUCKETS) return index;
  const exponent = Math.floor(index / SUB_BUCKETS);
  const sub = (index % SUB_BUCKETS) + SUB_BUCKETS / 2;
  return (sub + 1) * 2 ** exponent - 1;
}

export function record(h: Histogram, value: number): void {
  const index = bucketIndex(value);
  h.counts[index] = (h.counts[index] ?? 0) + 1;
  h.count += 1;
  h.sum += value;
  if (value < h.min) h.min = value;
  if (value > h.max) h.max = value;
}

export function merge(into: Histogram, from: Histogram): Histogram {
  // Histograms cross IPC as JSON, where an empty one's Infinity min arrives as null.
  if (from.count === 0) return into;
  for (const [key, n] of Object.entries(from.counts)) {
    const index = Number(key);
    into.counts[index] = (into.counts[index] ?? 0) + n;
  }
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  return into;
}

/**
 * Value at quantile q (0..1) by the nearest-rank method: the smallest recorded value such that
 * at least q of the samples are <= it. Clamped to the exact max so p100 is the real maximum.
 */
export function quantile(h: Histogram, q: number): number {
  if (h.count === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let seen = 0;
  const indexes = Object.keys(h.counts)
    .map(Number)
    .sort((a, b) => a - b);
  for (const index of indexes) {
    seen += h.counts[index] ?? 0;
    if (seen >= rank) return Math.min(bucketUpperBound(index), h.max);
  }
  return h.max;
}

/** Exact nearest-rank percentile of a plain sample array (for small sets such as connect times). */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Summary in milliseconds of a histogram recorded in microseconds. */
export function summarizeMicros(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    count: h.count,
    p50Ms: ms(quantile(h, 0.5)),
    p99Ms: ms(quantile(h, 0.99)),
    maxMs: ms(h.count ? h.max : Number.NaN),
    meanMs: ms(h.count ? h.sum / h.count : Number.NaN),
  };
}

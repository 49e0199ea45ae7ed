import type { SandboxUsage } from './sandbox-driver.js';

export interface UsageCacheOptions {
  /** How long one reading answers for its sandbox. 0 = read on every call. */
  ttlMs: number;
  /** Reads one sandbox's usage now (the isolated driver: its cgroup files). */
  read(sandboxId: string): Promise<Omit<SandboxUsage, 'sampledAt'>>;
  /** Milliseconds since the epoch; injectable so tests move time without sleeping. */
  clock?: () => number;
  /** Readings kept before expired ones are dropped. Default 4096. */
  maxEntries?: number;
}

interface Reading {
  takenAt: number;
  usage: Promise<SandboxUsage>;
}

/**
 * Per-sandbox usage readings shared for `ttlMs`, the cgroup counterpart of the process driver's
 * shared /proc sample (SANDBOX_USAGE_SAMPLE_TTL_MS). A reading is several cgroup files opened
 * through the thread pool; done on every status request it cost more CPU than everything else
 * the request does. Callers within the TTL, and callers arriving during a read, share one.
 */
export function createUsageCache(options: UsageCacheOptions) {
  const clock = options.clock ?? Date.now;
  const maxEntries = options.maxEntries ?? 4096;
  const readings = new Map<string, Reading>();

  function dropExpired(now: number): void {
    for (const [sandboxId, reading] of readings)
      if (now - reading.takenAt >= options.ttlMs) readings.delete(sandboxId);
  }

  return {
    usage(sandboxId: string): Promise<SandboxUsage> {
      const now = clock();
      const cached = readings.get(sandboxId);
      if (cached && now - cached.takenAt < options.ttlMs) return cached.usage;
      if (readings.size >= maxEntries) dropExpired(now);
      const sampledAt = new Date(now).toISOString();
      const usage = options.read(sandboxId).then((read) => ({ ...read, sampledAt }));
      const reading = { takenAt: now, usage };
      // Kept only while it stays the newest and succeeds, so a failed read is not replayed.
      if (options.ttlMs > 0 && readings.size < maxEntries) readings.set(sandboxId, reading);
      usage.catch(() => {
        if (readings.get(sandboxId) === reading) readings.delete(sandboxId);
      });
      return usage;
    },
  };
}

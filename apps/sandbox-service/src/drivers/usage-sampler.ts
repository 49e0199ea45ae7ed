import { PAGE_SIZE, type ProcEntry, cpuSeconds, processesBySandbox } from './proc-table.js';
import type { SandboxUsage } from './sandbox-driver.js';

/** Reads every sandbox's processes at once (the real one scans /proc; tests wrap it to count scans). */
export type ProcessScanner = () => Promise<Map<string, ProcEntry[]>>;

export interface UsageSamplerOptions {
  /** How long one sample answers for every sandbox. 0 = scan on every call (still single-flight). */
  ttlMs: number;
  scan?: ProcessScanner;
  /** Milliseconds since the epoch; injectable so tests move time without sleeping. */
  clock?: () => number;
}

interface Sample {
  takenAt: number;
  usage: Map<string, SandboxUsage>;
}

const EMPTY = { processes: 0, rssBytes: 0, cpuSeconds: 0 };

function summarise(takenAt: number, groups: Map<string, ProcEntry[]>): Sample {
  const sampledAt = new Date(takenAt).toISOString();
  const usage = new Map<string, SandboxUsage>();
  for (const [sandboxId, processes] of groups) {
    usage.set(sandboxId, {
      processes: processes.length,
      rssBytes: processes.reduce((sum, entry) => sum + entry.rssPages * PAGE_SIZE, 0),
      cpuSeconds: processes.reduce((sum, entry) => sum + cpuSeconds(entry), 0),
      sampledAt,
    });
  }
  return { takenAt, usage };
}

/**
 * Usage of every sandbox from one shared /proc sample. A scan reads every process's stat and
 * environ, so its cost grows with the host's process count; doing it per status request (and per
 * concurrent request) made status slow. Here all callers within `ttlMs` share one sample and
 * callers arriving during a scan await that same scan.
 */
export function createUsageSampler(options: UsageSamplerOptions) {
  const scan = options.scan ?? processesBySandbox;
  const clock = options.clock ?? Date.now;
  let current: Sample | undefined;
  let inFlight: Promise<Sample> | undefined;

  function sample(): Promise<Sample> {
    if (current && clock() - current.takenAt < options.ttlMs) return Promise.resolve(current);
    if (!inFlight) {
      const takenAt = clock();
      inFlight = scan()
        .then((groups) => (current = summarise(takenAt, groups)))
        .finally(() => {
          inFlight = undefined;
        });
    }
    return inFlight;
  }

  return {
    async usage(sandboxId: string): Promise<SandboxUsage> {
      const { takenAt, usage } = await sample();
      return usage.get(sandboxId) ?? { ...EMPTY, sampledAt: new Date(takenAt).toISOString() };
    },
  };
}

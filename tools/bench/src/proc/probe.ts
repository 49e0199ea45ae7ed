import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What probe-preload reports for one server process. */
export interface ProbeReport {
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  afterGc: boolean;
  eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
  gc: { count: number; totalMs: number; maxMs: number };
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-probe-'));

/** Environment that loads the probe into a Node server process. */
export function probeEnv(): Record<string, string> {
  const preload = new URL('./probe-preload.js', import.meta.url).href;
  return { BENCH_PROBE_DIR: dir, NODE_OPTIONS: `--import=${preload}` };
}

/**
 * Asks each server for its report (SIGUSR2), with a full GC first when `gc`. A process that does
 * not answer within 10 s is left out.
 */
export async function probe(pids: readonly number[], gc = false): Promise<ProbeReport[]> {
  const out = await Promise.all(
    pids.map(async (pid) => {
      const file = join(dir, `${pid}.json`);
      rmSync(file, { force: true });
      if (gc) writeFileSync(join(dir, `${pid}.cmd`), 'gc');
      try {
        process.kill(pid, 'SIGUSR2');
      } catch {
        return undefined;
      }
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ProbeReport;
        await new Promise((r) => setTimeout(r, 50));
      }
      return undefined;
    }),
  );
  return out.filter((r): r is ProbeReport => r !== undefined);
}

/** Heap snapshots taken so far: each gets its own file name. */
let snapshots = 0;

/**
 * A heap snapshot of one server (after a full GC), written by its probe; resolves with the
 * file, or undefined when the process did not write one within `withinMs`.
 */
export async function heapSnapshot(pid: number, withinMs = 120_000): Promise<string | undefined> {
  const file = join(dir, `${pid}.heapsnapshot`);
  const report = join(dir, `${pid}.json`);
  rmSync(file, { force: true });
  rmSync(report, { force: true });
  writeFileSync(join(dir, `${pid}.cmd`), 'snapshot');
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return undefined;
  }
  // The report is written after the snapshot: its presence means the snapshot is complete.
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (existsSync(report)) {
      // The probe always writes <pid>.heapsnapshot: each one moves aside so the next keeps it.
      const kept = join(dir, `${pid}-${++snapshots}.heapsnapshot`);
      renameSync(file, kept);
      return kept;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

import type { BenchArgs } from '../cli/bench-args.js';
import type { ConnectionsResult } from '../scenarios/connections.js';
import type { FanoutResult } from '../scenarios/fanout-runner.js';
import type { FlagsEvalResult } from '../scenarios/flags-eval.js';
import type { HttpResult } from '../scenarios/http-load.js';
import type { RedisBenchmarkResult } from '../scenarios/redis-benchmark.js';
import type { ScaleResult } from '../scenarios/scale.js';
import type { HotFunction } from './cpu-profile.js';
import type { MachineInfo } from './machine.js';

/** Everything one run measured: written as JSON and rendered into docs/benchmarks.md. */
export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  durationSec?: number;
  command: string;
  mode: 'quick' | 'full';
  machine: MachineInfo;
  args: BenchArgs;
  redisBenchmark?: RedisBenchmarkResult[];
  fanout: FanoutResult[];
  connections: ConnectionsResult[];
  /** Many connections at a fixed ramp, held, then a broadcast to all of them. */
  scale?: ScaleResult;
  http: HttpResult[];
  flagsEval?: FlagsEvalResult;
  /** Hottest functions of gateway instance 1 during the fan-out scenario (--profile). */
  profile?: { target: string; hottest: HotFunction[] };
  skipped: { scenario: string; reason: string }[];
  errors: { scenario: string; message: string }[];
  /** Set when the deadline watchdog ended the run. */
  aborted?: string;
}

/** Switchboard relative to its peers. */
export interface Ratios {
  /** Max sustained delivered/s (best non-lagging step), Switchboard / Socket.IO. */
  deliveredPerSec?: number;
  /** p99 at the highest publish rate both sustained, Switchboard / Socket.IO (lower is better). */
  p99?: number;
  p99Rate?: number;
  /** Max sustained delivered/s, Switchboard / raw ws (the single-process limit). */
  deliveredVsWsRaw?: number;
  /** False when a side sustained no step and first steps were compared instead. */
  sustained: boolean;
}

function fanoutFor(results: BenchResults, prefix: string): FanoutResult | undefined {
  return results.fanout.find((f) => f.target.startsWith(prefix));
}

/** The best non-lagging step (or the first step when all lagged). */
function peak(f: FanoutResult | undefined) {
  return f?.best ?? f?.steps[0];
}

function ratio(a?: number, b?: number): number | undefined {
  return a !== undefined && b ? Math.round((a / b) * 100) / 100 : undefined;
}

export function ratios(results: BenchResults): Ratios {
  const sbRun = fanoutFor(results, 'switchboard');
  const sioRun = fanoutFor(results, 'socket.io');
  const out: Ratios = { sustained: Boolean(sbRun?.best && sioRun?.best) };
  const d = ratio(peak(sbRun)?.deliveredPerSec, peak(sioRun)?.deliveredPerSec);
  if (d !== undefined) out.deliveredPerSec = d;
  const w = ratio(
    peak(sbRun)?.deliveredPerSec,
    peak(fanoutFor(results, 'ws-raw'))?.deliveredPerSec,
  );
  if (w !== undefined) out.deliveredVsWsRaw = w;
  const common = (sbRun?.steps ?? [])
    .filter((s) => !s.lagging)
    .map((s) => ({ sb: s, sio: sioRun?.steps.find((o) => o.rate === s.rate && !o.lagging) }))
    .filter((pair) => pair.sio !== undefined)
    .pop();
  if (common?.sio) {
    const p = ratio(common.sb.p99Ms, common.sio.p99Ms);
    if (p !== undefined) {
      out.p99 = p;
      out.p99Rate = common.sb.rate;
    }
  }
  return out;
}

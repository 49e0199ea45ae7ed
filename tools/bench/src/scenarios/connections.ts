import { cpuSecondsMeter, rssBytes } from '../proc/process-cpu.js';
import { type ProbeReport, heapSnapshot, probe } from '../proc/probe.js';
import { type HeapGrowth, heapGrowth, heapKinds } from '../report/heap-diff.js';
import { requestAll, startWorker } from '../proc/worker-handle.js';
import type { FromSubscriber, StepReport, ToSubscriber } from '../load/worker-protocol.js';
import { percentile } from '../stats/latency-summary.js';
import { type BenchContext, SkipScenario, remainingMs } from './bench-context.js';
import { connectClients, dealClients } from './connect-clients.js';
import type { FanoutTarget } from './fanout-target.js';

export interface ConnectionsResult {
  target: string;
  requested: number;
  connected: number;
  failed: number;
  errors: string[];
  connectP50Ms: number;
  connectP95Ms: number;
  connectP99Ms: number;
  /** Wall time to open all of them. */
  rampSec: number;
  /** CPU the servers used during the ramp, per connection opened (µs, all instances). */
  serverCpuPerConnectUs: number;
  heldSec: number;
  /** Connections lost while held. */
  dropped: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssPerConnectionKiB: number;
  /**
   * RSS per connection read right after a full GC of every server: without the connect burst's
   * garbage that the servers had not collected yet (the figure above includes it).
   */
  rssAfterGcPerConnectionKiB?: number;
  /** JS heap used per connection (the servers' own heap figures, when they report them). */
  heapPerConnectionKiB?: number;
  /**
   * With --profile: what instance 1's heap gained per connection it holds, by kind, from heap
   * snapshots before the connects and after the hold.
   */
  heapGrowth?: HeapGrowth[];
}

/** A probe figure summed over the servers; undefined when none answered. */
function sum(reports: ProbeReport[], pick: (r: ProbeReport) => number): number | undefined {
  return reports.length ? reports.reduce((a, r) => a + pick(r), 0) : undefined;
}

/** Connections per load-generator process: below the 20 000 open-file hard limit here. */
const PER_WORKER = 5000;

/** Time the scenario needs for n connections (ramp on a loaded 2-core box, hold, teardown). */
export function connectionsNeedMs(n: number, quick: boolean): number {
  return 10_000 + n * 6 + (quick ? 3000 : 15_000);
}

/**
 * Opens N connections to a target's instances (Switchboard: authenticated, each counted when
 * `connection.established` arrives; Socket.IO: when connected; raw ws: when open), holds them,
 * and reports connect latency, failures, drops while held, and the servers' resident memory
 * per connection.
 */
export async function runConnections(
  ctx: BenchContext,
  target: FanoutTarget,
): Promise<ConnectionsResult> {
  const n = ctx.args.connections;
  const holdSec = ctx.args.quick ? 3 : 15;
  const needMs = connectionsNeedMs(n, ctx.args.quick);
  if (remainingMs(ctx) < needMs)
    throw new SkipScenario(
      `not enough time left in the budget (${Math.round(needMs / 1000)} s needed)`,
    );
  const workers = Math.min(8, Math.ceil(n / PER_WORKER));
  const subs = Array.from({ length: workers }, () =>
    startWorker<ToSubscriber, FromSubscriber>(
      new URL('../load/subscriber-worker.js', import.meta.url),
    ),
  );
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rssBefore = target.serverPids.reduce((a, pid) => a + rssBytes(pid), 0);
    const probedBefore = await probe(target.serverPids, true);
    const heapBefore = sum(probedBefore, (r) => r.heapUsedBytes);
    const rssBeforeGc = sum(probedBefore, (r) => r.rssBytes);
    const firstPid = target.serverPids[0];
    const snapshotBefore =
      ctx.args.profile && firstPid !== undefined ? await heapSnapshot(firstPid) : undefined;
    const specs = dealClients(target, n, workers, () => []);
    const started = performance.now();
    const cpu = target.serverPids.map(cpuSecondsMeter);
    const reports = await connectClients(subs, specs, target, {
      concurrency: 50,
      timeoutMs: 20_000,
      replyWithinMs: 60_000 + n * 10,
    });
    const rampSec = (performance.now() - started) / 1000;
    const rampCpuSec = cpu.reduce((a, m) => a + m.stop(), 0);
    for (const sub of subs) sub.send({ type: 'step-begin', step: 1 });
    ctx.log(
      `  ${target.name}: ${reports.reduce((a, r) => a + r.ok, 0)}/${n} connected in ${rampSec.toFixed(1)} s, holding ${holdSec} s`,
    );
    await new Promise((r) => setTimeout(r, holdSec * 1000));
    const rssAfter = target.serverPids.reduce((a, pid) => a + rssBytes(pid), 0);
    // After a full GC: the live objects the connections keep (RSS above is as the OS sees it).
    const probedAfter = await probe(target.serverPids, true);
    const heapAfter = sum(probedAfter, (r) => r.heapUsedBytes);
    const rssAfterGc = sum(probedAfter, (r) => r.rssBytes);
    const snapshotAfter =
      snapshotBefore && firstPid !== undefined ? await heapSnapshot(firstPid) : undefined;
    const held = await requestAll(
      subs,
      { type: 'step-end', step: 1 },
      (m): m is StepReport => m.type === 'step-report',
      30_000,
    );
    const connectMs = reports.flatMap((r) => r.connectMs);
    const connected = connectMs.length;
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      target: target.name,
      requested: n,
      connected,
      failed: reports.reduce((a, r) => a + r.failed, 0),
      errors: reports.flatMap((r) => r.errors).slice(0, 5),
      connectP50Ms: round(percentile(connectMs, 0.5)),
      connectP95Ms: round(percentile(connectMs, 0.95)),
      connectP99Ms: round(percentile(connectMs, 0.99)),
      rampSec: round(rampSec),
      serverCpuPerConnectUs: connected ? Math.round((rampCpuSec / connected) * 1e6) : 0,
      heldSec: holdSec,
      dropped: held.reduce((a, r) => a + r.disconnects, 0),
      rssBeforeMiB: round(rssBefore / 2 ** 20),
      rssAfterMiB: round(rssAfter / 2 ** 20),
      rssPerConnectionKiB: connected
        ? round((rssAfter - rssBefore) / connected / 1024)
        : Number.NaN,
      ...(connected &&
      rssBeforeGc !== undefined &&
      rssAfterGc !== undefined &&
      probedBefore.length === probedAfter.length
        ? { rssAfterGcPerConnectionKiB: round((rssAfterGc - rssBeforeGc) / connected / 1024) }
        : {}),
      ...(snapshotBefore && snapshotAfter && connected
        ? {
            heapGrowth: heapGrowth(
              heapKinds(snapshotBefore),
              heapKinds(snapshotAfter),
              // Connections are dealt round-robin over the instances: instance 1 holds its share.
              Math.max(1, Math.round(connected / target.serverPids.length)),
            ),
          }
        : {}),
      ...(connected && heapBefore !== undefined && heapAfter !== undefined
        ? { heapPerConnectionKiB: round((heapAfter - heapBefore) / connected / 1024) }
        : {}),
    };
  } finally {
    await Promise.all(subs.map((s) => s.close({ type: 'close' })));
  }
}

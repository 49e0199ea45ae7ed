import type { FromPublisher } from '../load/worker-protocol.js';
import { cpuSecondsMeter, rssBytes } from '../proc/process-cpu.js';
import { percentile, summarizeMicros } from '../stats/latency-summary.js';
import { type BenchContext, SkipScenario, remainingMs } from './bench-context.js';
import { connectClients, dealClients } from './connect-clients.js';
import { endStep, expectedOf, settle } from './delivery-settle.js';
import type { FanoutTarget } from './fanout-target.js';
import { round2 as round, startLoadWorkers } from './load-workers.js';

export interface ScaleResult {
  target: string;
  instances: number;
  requested: number;
  connected: number;
  failed: number;
  errors: string[];
  /** Arrival rate the clients were started at (open loop). */
  rampPerSec: number;
  /** Connections established per second of the ramp, as achieved. */
  achievedPerSec: number;
  connectP50Ms: number;
  connectP95Ms: number;
  connectP99Ms: number;
  /** CPU the servers used during the ramp, per connection opened (µs, all instances). */
  serverCpuPerConnectUs: number;
  heldSec: number;
  /** Connections lost while held. */
  dropped: number;
  rssPerConnectionKiB: number;
  broadcast: {
    /** Events published to the room every client joined. */
    published: number;
    expected: number;
    delivered: number;
    lossPct: number;
    duplicates: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
  };
}

/** The room every client of the scale run joins, so one publish reaches all of them. */
const ALL_ROOM = 'project:bench-all';
/** Broadcasts after the hold: a few, spaced, so p99 is over several fan-outs of every client. */
const BROADCASTS = 5;
const BROADCAST_RATE = 1;
/** Connections per load-generator process: below the 20 000 open-file hard limit here. */
const PER_WORKER = 5000;

/** Time the scenario needs: the ramp, the hold, the broadcasts, teardown. */
export function scaleNeedMs(n: number, rampPerSec: number, holdSec: number): number {
  return (
    5_000 +
    (n / rampPerSec) * 1300 +
    holdSec * 1000 +
    (BROADCASTS / BROADCAST_RATE) * 1000 +
    5_000 +
    n * 0.5
  );
}

/**
 * Scale: N authenticated connections opened at a fixed arrival rate over the target's
 * instances, all in one room; held `holdSec` (drops counted); then BROADCASTS events published
 * to that room, each delivered to every connection, with delivery latency and loss.
 */
export async function runScale(
  ctx: BenchContext,
  target: FanoutTarget,
  options: { connections: number; rampPerSec: number; holdSec: number },
): Promise<ScaleResult> {
  const { connections: n, rampPerSec, holdSec } = options;
  const needMs = scaleNeedMs(n, rampPerSec, holdSec);
  if (remainingMs(ctx) < needMs)
    throw new SkipScenario(
      `not enough time left in the budget (${Math.round(needMs / 1000)} s needed)`,
    );
  const workers = Math.max(2, Math.ceil(n / PER_WORKER));
  const loadWorkers = startLoadWorkers(workers);
  const { subs, pub } = loadWorkers;
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rssBefore = target.serverPids.reduce((a, pid) => a + rssBytes(pid), 0);
    const specs = dealClients(target, n, workers, () => [ALL_ROOM]);
    const started = performance.now();
    const cpu = target.serverPids.map(cpuSecondsMeter);
    const reports = await connectClients(subs, specs, target, {
      concurrency: 2000,
      timeoutMs: 30_000,
      replyWithinMs: 60_000 + (n / rampPerSec) * 2000,
      ratePerSec: rampPerSec,
    });
    const rampSec = (performance.now() - started) / 1000;
    const rampCpuSec = cpu.reduce((a, m) => a + m.stop(), 0);
    const connectMs = reports.flatMap((r) => r.connectMs);
    const connected = connectMs.length;
    const members: Record<string, number> = {};
    for (const r of reports)
      for (const [room, count] of Object.entries(r.members))
        members[room] = (members[room] ?? 0) + count;
    ctx.log(
      `  ${target.name}: ${connected}/${n} connected in ${rampSec.toFixed(1)} s (ramp ${rampPerSec}/s; p95 ${round(percentile(connectMs, 0.95))} ms), holding ${holdSec} s`,
    );

    for (const sub of subs) sub.send({ type: 'step-begin', step: 1 });
    await new Promise((r) => setTimeout(r, holdSec * 1000));
    const rssAfter = target.serverPids.reduce((a, pid) => a + rssBytes(pid), 0);
    const dropped = (await endStep(subs, 1)).disconnects;

    await pub.request(
      {
        type: 'init',
        kind: target.publisherKind,
        target: target.publisherTarget,
        keyPrefix: target.keyPrefix ?? '',
        dealershipId: target.dealershipId ?? 'bench',
      },
      (m): m is { type: 'ready' } => m.type === 'ready',
      15_000,
    );
    for (const sub of subs) sub.send({ type: 'step-begin', step: 2 });
    const done = await pub.request(
      {
        type: 'step',
        step: 2,
        rate: BROADCAST_RATE,
        durationMs: (BROADCASTS / BROADCAST_RATE) * 1000,
        rooms: [ALL_ROOM],
        payloadBytes: ctx.args.payloadBytes,
        maxInFlight: 10,
      },
      (m): m is Extract<FromPublisher, { type: 'step-done' }> =>
        m.type === 'step-done' && m.step === 2,
      60_000,
    );
    const expected = expectedOf(done.published, members);
    await settle(subs, 2, expected, 20_000);
    const { latency, delivered, duplicates } = await endStep(subs, 2);
    const summary = summarizeMicros(latency);
    const published = Object.values(done.published).reduce((a, x) => a + x, 0);
    const result: ScaleResult = {
      target: target.name,
      instances: target.endpoints.length,
      requested: n,
      connected,
      failed: reports.reduce((a, r) => a + r.failed, 0),
      errors: reports.flatMap((r) => r.errors).slice(0, 5),
      rampPerSec,
      achievedPerSec: Math.round(connected / rampSec),
      connectP50Ms: round(percentile(connectMs, 0.5)),
      connectP95Ms: round(percentile(connectMs, 0.95)),
      connectP99Ms: round(percentile(connectMs, 0.99)),
      serverCpuPerConnectUs: connected ? Math.round((rampCpuSec / connected) * 1e6) : 0,
      heldSec: holdSec,
      dropped,
      rssPerConnectionKiB: connected ? round((rssAfter - rssBefore) / connected / 1024) : 0,
      broadcast: {
        published,
        expected,
        delivered,
        lossPct: expected ? round(((expected - delivered) / expected) * 100) : 0,
        duplicates,
        p50Ms: summary.p50Ms,
        p99Ms: summary.p99Ms,
        maxMs: summary.maxMs,
      },
    };
    ctx.log(
      `  held ${holdSec} s: ${dropped} dropped; broadcast ${published} × ${connected}: delivered ${delivered}/${expected} p50 ${summary.p50Ms} p99 ${summary.p99Ms} max ${summary.maxMs} ms dup ${duplicates}`,
    );
    return result;
  } finally {
    await loadWorkers.close();
  }
}

import { cpuMeter } from '../proc/process-cpu.js';
import { probe } from '../proc/probe.js';
import { percentile, summarizeMicros } from '../stats/latency-summary.js';
import type { FromPublisher } from '../load/worker-protocol.js';
import { type BenchContext, remainingMs } from './bench-context.js';
import { connectClients, dealClients } from './connect-clients.js';
import type { FanoutTarget } from './fanout-target.js';
import { rateSteps } from './rate-steps.js';
import { endStep, expectedOf, settle } from './delivery-settle.js';
import { MAX_RATE } from '../cli/bench-args.js';
import { round2 as round, startLoadWorkers } from './load-workers.js';

interface StepResult {
  rate: number;
  publishedPerSec: number;
  deliveredPerSec: number;
  expected: number;
  delivered: number;
  lossPct: number;
  duplicates: number;
  late: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** % of one core per server process (and Redis last, when known), over the step. */
  serverCpu: number[];
  /** % of one core used by the load generators (subscriber workers..., publisher last). */
  loadCpu: number[];
  publishErrors: number;
  disconnects: number;
  lagging: boolean;
  lagReason?: string;
  /** Event-loop delay and GC pauses of every process over the step (servers and load generators). */
  stalls: StepStall[];
}

interface StepStall {
  process: string;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  gcCount: number;
  gcMaxMs: number;
  gcTotalMs: number;
}

export interface FanoutResult {
  target: string;
  instances: number;
  rooms: number;
  subscribers: number;
  connected: number;
  connectFailed: number;
  connectErrors: string[];
  connectP50Ms: number;
  connectP95Ms: number;
  steps: StepResult[];
  /** Highest step that did not lag. */
  best?: StepResult;
  /**
   * Why stepping ended: a step lagged, the time budget, or the rate cap (the listed rates ran
   * without a lag and doubling them reached the harness's highest rate).
   */
  endedBy: 'lag' | 'budget' | 'rate cap';
}

/** A step lags when it loses messages, cannot keep the publish rate, or its p99 passes 1 s. */
function lagVerdict(step: Omit<StepResult, 'lagging' | 'lagReason'>): string | undefined {
  if (step.lossPct > 1) return `loss ${step.lossPct}% > 1%`;
  if (step.publishedPerSec < step.rate * 0.9)
    return `published ${step.publishedPerSec}/s < 90% of ${step.rate}/s`;
  if (step.p99Ms > 1000) return `p99 ${step.p99Ms} ms > 1000 ms`;
  return undefined;
}

const SUBSCRIBER_WORKERS = 2;

function roomsFor(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `project:bench-${i}`);
}

/**
 * The fan-out scenario on one target: `subscribers` clients, each in one of `rooms`, spread
 * round-robin over the target's instances and over loopback source addresses; then a fixed
 * publish rate per step, stepped upward until delivery lags (or the time budget ends).
 */
export async function runFanout(
  ctx: BenchContext,
  target: FanoutTarget,
  extraPids: number[] = [],
): Promise<FanoutResult> {
  const { args } = ctx;
  const rooms = roomsFor(args.rooms);
  const specs = dealClients(target, args.subscribers, SUBSCRIBER_WORKERS, (i) => [
    rooms[i % rooms.length]!,
  ]);
  const workers = startLoadWorkers(specs.length);
  const { subs, pub } = workers;
  try {
    const connectTimeout = Math.max(30_000, args.subscribers * 10);
    const connects = await connectClients(subs, specs, target, {
      concurrency: 100,
      timeoutMs: 15_000,
      replyWithinMs: connectTimeout,
    });
    const members: Record<string, number> = {};
    for (const c of connects)
      for (const [room, n] of Object.entries(c.members)) members[room] = (members[room] ?? 0) + n;
    const connectMs = connects.flatMap((c) => c.connectMs);
    const result: FanoutResult = {
      target: target.name,
      instances: target.endpoints.length,
      rooms: args.rooms,
      subscribers: args.subscribers,
      connected: connects.reduce((a, c) => a + c.ok, 0),
      connectFailed: connects.reduce((a, c) => a + c.failed, 0),
      connectErrors: connects.flatMap((c) => c.errors).slice(0, 5),
      connectP50Ms: round(percentile(connectMs, 0.5)),
      connectP95Ms: round(percentile(connectMs, 0.95)),
      steps: [],
      endedBy: 'rate cap',
    };
    ctx.log(
      `  ${result.connected}/${args.subscribers} subscribers ready (connect p50 ${result.connectP50Ms} ms)`,
    );
    if (result.connected === 0)
      throw new Error(`no subscriber could connect: ${result.connectErrors.join('; ')}`);

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

    const stepMs = args.stepSec * 1000;
    // Deliveries still arriving after the publisher stops are waited for up to this long.
    const graceMs = args.quick ? 4000 : 10_000;
    for (const [index, rate] of rateSteps(args.rates, MAX_RATE).entries()) {
      if (remainingMs(ctx) < stepMs + graceMs + 5_000) {
        ctx.log(`  stopping before ${rate}/s: time budget`);
        result.endedBy = 'budget';
        break;
      }
      const step = index + 1;
      const probed = [...target.serverPids, ...subs.map((s) => s.child.pid), pub.child.pid];
      await probe(probed); // resets each process's histograms: the step's own figures follow
      for (const sub of subs) sub.send({ type: 'step-begin', step });
      const meter = cpuMeter([...target.serverPids, ...extraPids]);
      const loadMeter = cpuMeter([...subs.map((s) => s.child.pid), pub.child.pid]);
      const done = await pub.request(
        {
          type: 'step',
          step,
          rate,
          durationMs: stepMs,
          rooms,
          payloadBytes: args.payloadBytes,
          maxInFlight: 5000,
        },
        (m): m is Extract<FromPublisher, { type: 'step-done' }> =>
          m.type === 'step-done' && m.step === step,
        stepMs * 3 + 10_000,
      );
      const serverCpu = meter.stop();
      const loadCpu = loadMeter.stop();
      const stalls = await probe(probed);
      await settle(subs, step, expectedOf(done.published, members), graceMs);
      const { latency, delivered, duplicates, late, disconnects } = await endStep(subs, step);
      const expected = expectedOf(done.published, members);
      const seconds = done.elapsedMs / 1000;
      const summary = summarizeMicros(latency);
      const partial = {
        rate,
        publishedPerSec: Math.round(done.attempted / seconds),
        deliveredPerSec: Math.round(delivered / seconds),
        expected,
        delivered,
        lossPct: expected ? round(((expected - delivered) / expected) * 100) : 0,
        duplicates,
        late,
        p50Ms: summary.p50Ms,
        p99Ms: summary.p99Ms,
        maxMs: summary.maxMs,
        serverCpu,
        loadCpu,
        publishErrors: done.errors,
        disconnects,
        stalls: stalls.map((r) => ({
          process:
            target.serverPids.indexOf(r.pid) >= 0
              ? `server ${target.serverPids.indexOf(r.pid) + 1}`
              : r.pid === pub.child.pid
                ? 'publisher'
                : 'subscriber worker',
          eventLoopDelayP99Ms: r.eventLoopDelay.p99Ms,
          eventLoopDelayMaxMs: r.eventLoopDelay.maxMs,
          gcCount: r.gc.count,
          gcMaxMs: r.gc.maxMs,
          gcTotalMs: r.gc.totalMs,
        })),
      };
      const lagReason = lagVerdict(partial);
      const stepResult: StepResult = {
        ...partial,
        lagging: lagReason !== undefined,
        ...(lagReason ? { lagReason } : {}),
      };
      result.steps.push(stepResult);
      ctx.log(
        `  ${rate}/s: published ${stepResult.publishedPerSec}/s delivered ${stepResult.deliveredPerSec}/s p50 ${stepResult.p50Ms} p99 ${stepResult.p99Ms} max ${stepResult.maxMs} ms loss ${stepResult.lossPct}% dup ${duplicates} cpu ${serverCpu.join('/')}% (load-gen ${loadCpu.join('/')}%)${lagReason ? `  LAG: ${lagReason}` : ''}${done.firstError ? ` (publish error: ${done.firstError})` : ''}`,
      );
      ctx.log(
        `    event-loop delay max / GC max (ms): ${stepResult.stalls.map((x) => `${x.process} ${x.eventLoopDelayMaxMs}/${x.gcMaxMs}`).join(', ')}`,
      );
      if (!stepResult.lagging) {
        result.best = stepResult;
      } else {
        result.endedBy = 'lag';
        break;
      }
    }
    return result;
  } finally {
    await workers.close();
  }
}

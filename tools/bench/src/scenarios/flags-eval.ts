import {
  type Flag,
  type FlagDefinition,
  createFlagsClient,
  normalizeDefinition,
} from '@switchboard/flags';
import { createKeyspace } from '@switchboard/keyspace';
import { Redis } from 'ioredis';
import { Bench } from 'tinybench';
import type { BenchContext } from './bench-context.js';
import { benchFlagDefinitions } from './http-load.js';

interface FlagsEvalTask {
  name: string;
  /** Evaluations per second in one thread. */
  opsPerSec: number;
  /** Mean cost of one evaluation, ns. */
  meanNs: number;
  /** p99 of one batch of BATCH evaluations, divided by BATCH, ns. */
  p99Ns: number;
}

export interface FlagsEvalResult {
  tasks: FlagsEvalTask[];
}

/** Evaluations per tinybench iteration: one evaluation is below the timer's useful resolution. */
const BATCH = 100;

function asFlag(key: string, definition: FlagDefinition): Flag {
  const now = new Date().toISOString();
  return {
    key,
    version: 1,
    archived: false,
    createdAt: now,
    updatedAt: now,
    updatedBy: 'bench',
    ...normalizeDefinition(definition),
  };
}

/**
 * In-process evaluation cost of the flags SDK (FlagsClient.isEnabled over its local snapshot,
 * no network): what every service pays per flag check. Runs in the harness process; it is a CPU
 * micro-benchmark with nothing else running.
 */
export async function runFlagsEval(ctx: BenchContext): Promise<FlagsEvalResult> {
  const redis = new Redis(ctx.redis.url, { lazyConnect: true });
  const client = createFlagsClient({ redis, keyspace: createKeyspace('') });
  for (const { key, ...definition } of benchFlagDefinitions())
    client.apply(asFlag(key, definition as FlagDefinition));
  const contexts = Array.from({ length: BATCH }, (_, i) => ({
    targetingKey: `user-${i}`,
    dealershipId: i % 3 === 0 ? 'bench-d' : `d${i}`,
    plan: i % 2 ? 'pro' : 'enterprise',
    email: `user${i}@example.com`,
    appVersion: `2.${i % 5}.0`,
  }));
  const bench = new Bench({ time: ctx.args.quick ? 300 : 2000, warmupTime: 100 });
  let sink = 0;
  for (const key of ['bench.simple', 'bench.rules', 'bench.rollout']) {
    bench.add(`isEnabled ${key}`, () => {
      for (const c of contexts) if (client.isEnabled(key, c)) sink += 1;
    });
  }
  bench.add('evaluate every flag (20) for one context', () => {
    for (let i = 0; i < BATCH / 20; i++)
      for (const flag of client.flags())
        if (client.evaluate(flag.key, contexts[i]!).variant) sink += 1;
  });
  await bench.run();
  redis.disconnect();
  const tasks = bench.tasks.map((task) => {
    const r = task.result!;
    const meanMs = r.latency.mean;
    const p99Ms = r.latency.p99 ?? meanMs;
    return {
      name: task.name,
      opsPerSec: Math.round((1000 / meanMs) * BATCH),
      meanNs: Math.round((meanMs * 1e6) / BATCH),
      p99Ns: Math.round((p99Ms * 1e6) / BATCH),
    };
  });
  for (const t of tasks)
    ctx.log(
      `  ${t.name}: ${t.opsPerSec.toLocaleString('en-US')} evals/s (${t.meanNs} ns mean, ${t.p99Ns} ns p99)`,
    );
  if (sink < 0) ctx.log('unreachable');
  return { tasks };
}

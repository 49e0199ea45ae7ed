import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startRedis } from '@switchboard/test-redis';
import {
  type BenchArgs,
  USAGE,
  type ScenarioName,
  commandLine,
  parseBenchArgs,
} from './cli/bench-args.js';
import { killAllChildren } from './proc/children.js';
import type { BenchResults } from './report/bench-results.js';
import { writeFiguresToDocs } from './report/docs-figures.js';
import { describeMachine } from './report/machine.js';
import { renderMarkdown } from './report/render-table.js';
import { type BenchContext, SkipScenario, remainingMs } from './scenarios/bench-context.js';
import { connectionsNeedMs, runConnections } from './scenarios/connections.js';
import { runFlagsEval } from './scenarios/flags-eval.js';
import { runFlagsHttp, runSandboxHttp } from './scenarios/http-load.js';
import { runServerApiPublish } from './scenarios/server-api-publish.js';
import { buildApps } from './scenarios/build-apps.js';
import type { FanoutTarget } from './scenarios/fanout-target.js';
import { runFanout } from './scenarios/fanout-runner.js';
import { startSwitchboardTarget } from './scenarios/gateway-target.js';
import { startSocketIoTarget, startWsRawTarget } from './scenarios/peer-servers.js';
import { runRedisBenchmark } from './scenarios/redis-benchmark.js';
import { runScale, scaleNeedMs } from './scenarios/scale.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(packageRoot, '../..');
const argv = process.argv.slice(2);

let parsed: BenchArgs;
try {
  parsed = parseBenchArgs(argv);
} catch (err) {
  console.error(`bench: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
const args = parsed;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const startedAt = Date.now();
const results: BenchResults = {
  startedAt: new Date(startedAt).toISOString(),
  command: commandLine(argv),
  mode: args.quick ? 'quick' : 'full',
  machine: describeMachine(),
  args,
  fanout: [],
  connections: [],
  http: [],
  skipped: [],
  errors: [],
};

function log(line: string): void {
  const t = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(4);
  console.log(`[${t}s] ${line}`);
}

/** Writes the JSON (timestamped + latest.json) and the docs' figures section. */
function save(): void {
  results.finishedAt = new Date().toISOString();
  results.durationSec = Math.round((Date.now() - startedAt) / 1000);
  const dir = join(packageRoot, 'results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(dir, `${results.startedAt.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(dir, 'latest.json'), json);
  if (args.writeDocs) writeFiguresToDocs(join(repoRoot, 'docs/benchmarks.md'), results);
}

let watchdog: NodeJS.Timeout | undefined;
/** Hard stop: whatever happens, the run ends shortly after its budget with every child killed. */
function armWatchdog(): void {
  watchdog = setTimeout(
    () => {
      results.aborted = `deadline of ${args.budgetSec} s passed`;
      console.error(`bench: ${results.aborted}, stopping`);
      killAllChildren();
      save();
      process.exit(3);
    },
    (args.budgetSec + 30) * 1000,
  );
  watchdog.unref();
}

process.on('uncaughtException', (err) => {
  console.error('bench: uncaught', err);
  killAllChildren();
  process.exit(1);
});

async function redisPid(url: string): Promise<number[]> {
  const client = new Redis(url);
  try {
    const info = await client.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    return Number.isFinite(pid) ? [pid] : [];
  } finally {
    client.disconnect();
  }
}

async function flush(url: string): Promise<void> {
  const client = new Redis(url);
  await client.flushall();
  client.disconnect();
}

async function fanoutScenario(
  ctx: BenchContext,
  start: () => Promise<FanoutTarget>,
  withRedis: boolean,
): Promise<void> {
  const target = await start();
  try {
    const result = await runFanout(ctx, target, withRedis ? await redisPid(ctx.redis.url) : []);
    results.fanout.push(result);
  } finally {
    await target.stop();
    const hottest = target.profile?.();
    if (hottest) results.profile = { target: target.name, hottest };
  }
}

/** Seconds each scenario needs at minimum in quick mode (scaled up for full runs). */
const MIN_SECONDS: Record<ScenarioName, number> = {
  redis: 10,
  'ws-raw': 25,
  socketio: 25,
  switchboard: 25,
  connections: 20,
  scale: 20,
  // Four and three HTTP plans (the services' and the bare-Fastify peer's), see ensureTime.
  sandbox: 30,
  flags: 26,
  'server-api': 20,
};
if (!args.quick)
  for (const key of Object.keys(MIN_SECONDS) as ScenarioName[]) MIN_SECONDS[key] *= 3;
// The Switchboard connections run must fit whatever the fan-out scenarios before it used.
MIN_SECONDS.connections = Math.max(
  MIN_SECONDS.connections,
  Math.ceil(connectionsNeedMs(args.connections, args.quick) / 1000),
);
MIN_SECONDS.scale = Math.max(
  MIN_SECONDS.scale,
  Math.ceil(scaleNeedMs(args.scale, args.rampPerSec, args.holdSec) / 1000),
);

async function main(): Promise<void> {
  log(`bench ${results.mode}: ${args.only.join(', ')} (budget ${args.budgetSec} s)`);
  if (args.build) {
    for (const line of await buildApps(repoRoot, args.only)) log(line);
  }
  // The budget counts from here: building is preparation, not measurement.
  armWatchdog();
  const redis = await startRedis();
  const ctx: BenchContext = {
    args,
    redis,
    deadline: Date.now() + args.budgetSec * 1000,
    repoRoot,
    log,
  };
  const scenarios: Record<ScenarioName, (ctx: BenchContext) => Promise<void>> = {
    redis: async (ctx) => {
      results.redisBenchmark = await runRedisBenchmark(ctx);
    },
    'ws-raw': (ctx) => fanoutScenario(ctx, startWsRawTarget, false),
    socketio: (ctx) => fanoutScenario(ctx, () => startSocketIoTarget(ctx), true),
    switchboard: (ctx) => fanoutScenario(ctx, () => startSwitchboardTarget(ctx), true),
    connections: async (ctx) => {
      // Switchboard first (the figure that matters), then the peers with the same count if
      // the budget allows.
      const targets: [string, () => Promise<FanoutTarget>][] = [
        ['switchboard', () => startSwitchboardTarget(ctx)],
        ['socket.io', () => startSocketIoTarget(ctx)],
        ['ws-raw', startWsRawTarget],
      ];
      for (const [index, [label, start]] of targets.entries()) {
        if (
          index > 0 &&
          remainingMs(ctx) < connectionsNeedMs(args.connections, args.quick) + 5000
        ) {
          results.skipped.push({ scenario: `connections (${label})`, reason: 'time budget' });
          continue;
        }
        try {
          const target = await start();
          try {
            results.connections.push(await runConnections(ctx, target));
          } finally {
            await target.stop();
          }
        } catch (err) {
          if (!(err instanceof SkipScenario)) throw err;
          results.skipped.push({ scenario: `connections (${label})`, reason: err.message });
          log(`  ${label} SKIPPED: ${err.message}`);
        }
        await flush(ctx.redis.url);
      }
    },
    scale: async (ctx) => {
      const target = await startSwitchboardTarget(ctx);
      try {
        results.scale = await runScale(ctx, target, {
          connections: args.scale,
          rampPerSec: args.rampPerSec,
          holdSec: args.holdSec,
        });
      } finally {
        await target.stop();
        const hottest = target.profile?.();
        if (hottest) results.profile = { target: `${target.name}, scale`, hottest };
      }
    },
    sandbox: async (ctx) => {
      results.http.push(...(await runSandboxHttp(ctx)));
    },
    flags: async (ctx) => {
      try {
        results.flagsEval = await runFlagsEval(ctx);
      } catch (err) {
        results.errors.push({
          scenario: 'flags (SDK evaluation)',
          message: (err as Error).message,
        });
        log(`  SDK evaluation FAILED: ${(err as Error).message}`);
      }
      results.http.push(...(await runFlagsHttp(ctx)));
    },
    'server-api': async (ctx) => {
      results.http.push(...(await runServerApiPublish(ctx)));
    },
  };
  try {
    for (const [index, name] of args.only.entries()) {
      // Each scenario may use the time the scenarios after it do not need at minimum, so a slow
      // early one cannot starve the rest of the run.
      const reserved = args.only
        .slice(index + 1)
        .reduce((a, later) => a + MIN_SECONDS[later] * 1000, 0);
      const scenarioCtx: BenchContext = { ...ctx, deadline: ctx.deadline - reserved };
      if (remainingMs(scenarioCtx) < 15_000) {
        results.skipped.push({ scenario: name, reason: 'time budget used up' });
        log(`${name}: skipped (time budget used up)`);
        continue;
      }
      log(`${name}:`);
      try {
        await flush(redis.url);
        await scenarios[name](scenarioCtx);
      } catch (err) {
        if (err instanceof SkipScenario) {
          results.skipped.push({ scenario: name, reason: err.message });
          log(`  SKIPPED: ${err.message}`);
        } else {
          results.errors.push({ scenario: name, message: (err as Error).message });
          log(`  FAILED: ${(err as Error).stack ?? err}`);
        }
      }
    }
  } finally {
    await redis.cleanup();
  }
}

try {
  await main();
} finally {
  killAllChildren();
  save();
  console.log(`\n${renderMarkdown(results)}\n`);
  log(
    `done; results in tools/bench/results/latest.json${args.writeDocs ? ' and docs/benchmarks.md' : ''}`,
  );
  clearTimeout(watchdog);
}
process.exit(results.errors.length ? 1 : 0);

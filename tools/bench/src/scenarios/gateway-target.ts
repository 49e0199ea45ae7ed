import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mintToken } from '@switchboard/auth';
import { freePort } from '@switchboard/test-redis';
import { type Child, spawnTracked } from '../proc/children.js';
import { probeEnv } from '../proc/probe.js';
import { type HotFunction, hottestFunctions, readCpuProfile } from '../report/cpu-profile.js';
import { type BenchContext, SkipScenario } from './bench-context.js';
import type { FanoutTarget } from './fanout-target.js';

export const BENCH_DEALERSHIP = 'bench-d';

interface GatewayCluster {
  ports: number[];
  children: Child[];
  secret: string;
  stop(): Promise<void>;
  /** Hottest functions of instance 1 after stop (only with --profile). */
  profile(): HotFunction[] | undefined;
}

async function waitReady(port: number, child: Child, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.process.exitCode !== null)
      throw new SkipScenario(
        `gateway exited at start (code ${child.process.exitCode}): ${child.tail().slice(-400)}`,
      );
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new SkipScenario(
    `gateway on ${port} not ready within ${timeoutMs} ms: ${child.tail().slice(-400)}`,
  );
}

/**
 * Starts `instances` realtime-gateway processes (node apps/realtime-gateway/dist/server.js) on
 * the run's private Redis. The per-IP connection-rate limit is lifted (the bench opens thousands
 * of connections a second from a few loopback addresses); everything else is the default config.
 */
async function startGateways(ctx: BenchContext, instances = 3): Promise<GatewayCluster> {
  const server = join(ctx.repoRoot, 'apps/realtime-gateway/dist/server.js');
  if (!existsSync(server))
    throw new SkipScenario(
      `${server} missing: build the gateway first (pnpm --filter @switchboard/realtime-gateway build)`,
    );
  const secret = randomBytes(24).toString('hex');
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const profileDir = ctx.args.profile
    ? mkdtempSync(join(tmpdir(), 'switchboard-bench-prof-'))
    : undefined;
  const children = ports.map((port, i) =>
    spawnTracked(
      process.execPath,
      [...(profileDir && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), server],
      {
        cwd: join(ctx.repoRoot, 'apps/realtime-gateway'),
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          INSTANCE_ID: `bench-gw-${i + 1}`,
          REDIS_URL: ctx.redis.url,
          JWT_SECRET: secret,
          KEY_PREFIX: '',
          LOG_LEVEL: 'warn',
          CONNECT_RATE_PER_MIN: '10000000',
          DRAIN_MS: '0',
          NODE_ENV: 'production',
          ...probeEnv(),
        },
      },
    ),
  );
  // SIGTERM so a profiled instance writes its profile on the way out.
  const stop = async () => {
    await Promise.all(children.map((c) => c.kill('SIGTERM', 15_000)));
  };
  const profile = () => {
    if (!profileDir) return undefined;
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    return file ? hottestFunctions(readCpuProfile(join(profileDir, file))) : undefined;
  };
  try {
    await Promise.all(ports.map((port, i) => waitReady(port, children[i]!, 20_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, children, secret, stop, profile };
}

function benchToken(secret: string, index: number): string {
  return mintToken(
    { sub: `bench-u${index}`, dealershipId: BENCH_DEALERSHIP, role: 'user', ttl: '2h' },
    { secret },
  );
}

export async function startSwitchboardTarget(
  ctx: BenchContext,
  instances = 3,
): Promise<FanoutTarget> {
  const cluster = await startGateways(ctx, instances);
  return {
    name: `switchboard gateway (${instances} instances)`,
    clientKind: 'switchboard',
    endpoints: cluster.ports.map((p) => `ws://127.0.0.1:${p}/ws`),
    publisherKind: 'switchboard',
    publisherTarget: ctx.redis.url,
    keyPrefix: '',
    dealershipId: BENCH_DEALERSHIP,
    tokenFor: (i) => benchToken(cluster.secret, i),
    serverPids: cluster.children.map((c) => c.pid),
    stop: cluster.stop,
    profile: cluster.profile,
  };
}

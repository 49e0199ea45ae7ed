import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchboard/test-redis';
import { type Child, spawnTracked } from '../proc/children.js';
import { type HotFunction, hottestFunctions, readCpuProfile } from '../report/cpu-profile.js';
import { type BenchContext, SkipScenario } from './bench-context.js';

/**
 * Every request of a benchmark comes from one address and one token, far past the production
 * rate limits (docs/operations.md): raised out of reach, but left on, so their cost is measured.
 */
const BENCH_RATE_LIMITS: Record<string, string> = Object.fromEntries(
  ['IP', 'READ', 'WRITE', 'EVALUATE', 'OFREP', 'PUBLISH'].map((group) => [
    `HTTP_RATE_LIMIT_${group}_MAX`,
    '1000000000',
  ]),
);

export interface ServiceProcess {
  baseUrl: string;
  child: Child;
  stop(): Promise<void>;
  /** Hottest functions over the process's life, after stop (only with --profile). */
  profile(): HotFunction[] | undefined;
}

/**
 * Starts `node apps/<app>/dist/server.js` on a free port with the run's Redis and waits for
 * /health/ready. A missing build or a process that dies or never gets ready skips the scenario.
 */
export async function startService(
  ctx: BenchContext,
  app: string,
  secret: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const server = join(ctx.repoRoot, `apps/${app}/dist/server.js`);
  if (!existsSync(server)) throw new SkipScenario(`${server} missing (the app does not build yet)`);
  const port = await freePort();
  const profileDir = ctx.args.profile
    ? mkdtempSync(join(tmpdir(), `switchboard-bench-prof-${app}-`))
    : undefined;
  const child = spawnTracked(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), server],
    {
      cwd: join(ctx.repoRoot, `apps/${app}`),
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: ctx.redis.url,
        JWT_SECRET: secret,
        KEY_PREFIX: '',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        SANDBOX_ROOT: mkdtempSync(join(tmpdir(), 'switchboard-bench-sandboxes-')),
        ...BENCH_RATE_LIMITS,
        ...env,
      },
    },
  );
  // SIGTERM so a profiled service writes its profile on the way out.
  const stop = () => child.kill('SIGTERM', 10_000);
  const profile = () => {
    if (!profileDir) return undefined;
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    return file ? hottestFunctions(readCpuProfile(join(profileDir, file)), 25) : undefined;
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (child.process.exitCode !== null)
      throw new SkipScenario(
        `${app} exited at start (code ${child.process.exitCode}): ${child.tail().slice(-400)}`,
      );
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) return { baseUrl, child, stop, profile };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await child.kill();
  throw new SkipScenario(`${app} not ready within 20 s: ${child.tail().slice(-400)}`);
}

/** JSON request with a bearer token; throws SkipScenario with the response when it is not 2xx. */
export async function callJson<T>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok)
    throw new SkipScenario(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

import { randomBytes } from 'node:crypto';
import { mintToken } from '@switchboard/auth';
import type { HotFunction } from '../report/cpu-profile.js';
import type { HttpJob, HttpPlan, HttpReport } from '../load/http-plans.js';
import { startWorker } from '../proc/worker-handle.js';
import { type BenchContext, SkipScenario, remainingMs } from './bench-context.js';
import { BENCH_DEALERSHIP } from './gateway-target.js';
import { cpuSecondsMeter } from '../proc/process-cpu.js';
import { startFastifyPeer } from './peer-servers.js';
import { callJson, startService } from './service-process.js';

export interface HttpResult extends Omit<HttpReport, 'type'> {
  service: string;
  /** What the plan is and what status it expects. */
  label: string;
  expectedStatus: number;
  connections: number;
  durationSec: number;
  /** Share of responses with the expected status, %. */
  expectedPct: number;
}

export async function runPlan(
  ctx: BenchContext,
  service: string,
  label: string,
  expectedStatus: number,
  job: Omit<HttpJob, 'type'>,
  servicePid?: number,
): Promise<HttpResult> {
  const worker = startWorker<
    HttpJob | { type: 'close' },
    HttpReport | { type: 'fatal'; message: string }
  >(new URL('../load/http-worker.js', import.meta.url));
  let meter: ReturnType<typeof cpuSecondsMeter> | undefined;
  worker.child.process.on('message', (m: { type?: string }) => {
    if (m.type === 'measure-start' && servicePid !== undefined) meter = cpuSecondsMeter(servicePid);
  });
  try {
    const report = await worker.request(
      { type: 'run', ...job },
      (m): m is HttpReport => m.type === 'http-report',
      job.durationSec * 1000 + 30_000,
    );
    const cpuSec = meter?.stop();
    if (cpuSec !== undefined && report.total > 0 && cpuSec > 0) {
      report.cpuUsPerRequest = Math.round((cpuSec * 1e6) / report.total);
      report.reqPerCoreSec = Math.round(report.total / cpuSec);
    }
    const { type: _type, ...rest } = report;
    const total = Object.values(report.statuses).reduce((a, n) => a + n, 0);
    const result: HttpResult = {
      ...rest,
      service,
      label,
      expectedStatus,
      connections: job.connections,
      durationSec: job.durationSec,
      expectedPct: total
        ? Math.round(((report.statuses[expectedStatus] ?? 0) / total) * 10_000) / 100
        : 0,
    };
    ctx.log(
      `  ${label}: ${result.requestsPerSec} req/s (${result.cpuUsPerRequest ?? '?'} µs CPU/request, ${result.reqPerCoreSec ?? '?'}/core-s) p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms, ${result.expectedPct}% ${expectedStatus} ${JSON.stringify(result.statuses)}`,
    );
    return result;
  } finally {
    await worker.close({ type: 'close' });
  }
}

export function planSeconds(ctx: BenchContext): number {
  return ctx.args.quick ? 3 : 15;
}

export function ensureTime(ctx: BenchContext, plans: number): void {
  // Each plan: a 1 s warm-up, the measurement, and a second or two to start and stop its workers.
  const need = plans * (planSeconds(ctx) + 3) * 1000 + 10_000;
  if (remainingMs(ctx) < need)
    throw new SkipScenario(
      `not enough time left in the budget (${Math.round(need / 1000)} s needed)`,
    );
}

/** Sandbox API through autocannon: status reads, pause+resume pairs, execute on a paused sandbox (423). */
export async function runSandboxHttp(ctx: BenchContext): Promise<HttpResult[]> {
  ensureTime(ctx, 6);
  const secret = randomBytes(24).toString('hex');
  const service = await startService(ctx, 'sandbox-service', secret, {
    FLAG_SANDBOX_PAUSE_RESUME: 'true',
  });
  const token = mintToken(
    { sub: 'bench-operator', dealershipId: BENCH_DEALERSHIP, role: 'user', ttl: '2h' },
    { secret },
  );
  const connections = 10;
  const seconds = planSeconds(ctx);
  try {
    const created = await Promise.all(
      Array.from({ length: connections + 1 }, (_, i) =>
        callJson<{ data: { id: string } }>(service.baseUrl, token, 'POST', '/api/sandbox', {
          name: `bench-${i}`,
        }),
      ),
    );
    const ids = created.map((c) => c.data.id);
    const paused = ids.pop()!;
    await callJson(service.baseUrl, token, 'POST', `/api/sandbox/pause/${paused}`, {
      reason: 'bench',
    });
    const base = { baseUrl: service.baseUrl, token, connections, durationSec: seconds };
    const plans: [string, number, HttpPlan, string[]][] = [
      ['GET status', 200, 'sandbox-status', ids],
      ['pause+resume pairs (1 sandbox per connection)', 200, 'sandbox-pause-resume', ids],
      ['execute on paused -> 423', 423, 'sandbox-execute-paused', [paused]],
    ];
    const results: HttpResult[] = [];
    for (const [label, status, plan, planIds] of plans)
      results.push(
        await runPlan(
          ctx,
          'sandbox-service',
          label,
          status,
          { ...base, plan, ids: planIds },
          service.child.pid,
        ),
      );
    await resumePaused(service.baseUrl, token, ids);
    // Latency at a stated load rather than at saturation, where p99 is mostly the queue: status
    // paced at the rate goal 6 names; pause+resume pairs by one caller at a time (pacing would
    // count the pacer's wait between the pause and the resume in the pair's time).
    results.push(
      await runPlan(
        ctx,
        'sandbox-service',
        `GET status paced at ${STATUS_PACED_RATE} req/s`,
        200,
        { ...base, plan: 'sandbox-status', ids, overallRate: STATUS_PACED_RATE },
        service.child.pid,
      ),
      await runPlan(
        ctx,
        'sandbox-service',
        'pause+resume pairs, one caller at a time',
        200,
        { ...base, connections: 1, plan: 'sandbox-pause-resume', ids },
        service.child.pid,
      ),
    );
    await service.stop();
    logProfile(ctx, 'sandbox-service', service.profile());
    results.push(await runPeer(ctx, secret, token, 'sandbox-status', ids));
    return results;
  } finally {
    await service.stop();
  }
}

/** A pause+resume plan stopped between its two calls leaves a sandbox paused: the next starts active. */
async function resumePaused(baseUrl: string, token: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const { data } = await callJson<{ data: { state: string } }>(
      baseUrl,
      token,
      'GET',
      `/api/sandbox/${id}/status`,
    );
    if (data.state === 'paused')
      await callJson(baseUrl, token, 'POST', `/api/sandbox/resume/${id}`, {});
  }
}

/** The same plan against the bare-Fastify peer (same JWT verification, same Redis), in this run. */
async function runPeer(
  ctx: BenchContext,
  secret: string,
  token: string,
  plan: 'sandbox-status' | 'ofrep-single',
  ids: string[],
): Promise<HttpResult> {
  const peer = await startFastifyPeer(ctx, secret);
  try {
    const label =
      plan === 'ofrep-single'
        ? 'peer: bare Fastify, JWT verify + constant'
        : 'peer: bare Fastify, JWT verify + one Redis read';
    return await runPlan(
      ctx,
      PEER_SERVICE,
      label,
      200,
      {
        baseUrl: peer.baseUrl,
        token,
        connections: 10,
        durationSec: planSeconds(ctx),
        plan,
        ids,
      },
      peer.pid,
    );
  } finally {
    await peer.stop();
  }
}

function logProfile(ctx: BenchContext, service: string, hottest: HotFunction[] | undefined): void {
  if (!hottest) return;
  ctx.log(`  ${service} hottest functions (self % of busy samples, whole life):`);
  for (const h of hottest) ctx.log(`    ${String(h.selfPct).padStart(5)}  ${h.frame}`);
}

/** Goal 6 asks for status p99 at 2 000 req/s or more: paced a little above, so it is reached. */
const STATUS_PACED_RATE = 2050;

/** The `service` of the peers' rows. */
const PEER_SERVICE = 'peer (bare Fastify)';

/** flag-service OFREP through autocannon: one flag, and every flag (bulk) for a context. */
export async function runFlagsHttp(ctx: BenchContext): Promise<HttpResult[]> {
  ensureTime(ctx, 3);
  const secret = randomBytes(24).toString('hex');
  const service = await startService(ctx, 'flag-service', secret);
  const admin = mintToken(
    { sub: 'bench-admin', dealershipId: BENCH_DEALERSHIP, role: 'admin', ttl: '2h' },
    { secret },
  );
  const seconds = planSeconds(ctx);
  try {
    const flags = benchFlagDefinitions();
    for (const flag of flags) await callJson(service.baseUrl, admin, 'POST', '/api/flags', flag);
    const base = { baseUrl: service.baseUrl, token: admin, connections: 10, durationSec: seconds };
    const results = [
      await runPlan(
        ctx,
        'flag-service',
        `OFREP single (rules + rollout flag)`,
        200,
        { ...base, plan: 'ofrep-single', ids: ['bench.rollout'] },
        service.child.pid,
      ),
      await runPlan(
        ctx,
        'flag-service',
        `OFREP bulk (${flags.length} flags)`,
        200,
        { ...base, plan: 'ofrep-bulk', ids: ['-'] },
        service.child.pid,
      ),
    ];
    await service.stop();
    logProfile(ctx, 'flag-service', service.profile());
    results.push(await runPeer(ctx, secret, admin, 'ofrep-single', ['bench.rollout']));
    return results;
  } finally {
    await service.stop();
  }
}

/** The flags both the HTTP and the in-process benchmarks evaluate. */
export function benchFlagDefinitions() {
  return [
    { key: 'bench.simple', description: 'boolean kill switch, no rules', enabled: true },
    {
      key: 'bench.rules',
      enabled: true,
      rules: [
        {
          constraints: [
            { attribute: 'dealershipId', operator: 'in', values: ['d1', 'd2', 'bench-d'] },
            { attribute: 'plan', operator: 'equals', value: 'enterprise' },
          ],
          variant: 'on',
        },
        {
          constraints: [{ attribute: 'email', operator: 'regex', value: '^[a-z]+@example\\.com$' }],
          variant: 'on',
        },
        {
          constraints: [{ attribute: 'appVersion', operator: 'semver_gt', value: '2.1.0' }],
          variant: 'off',
        },
      ],
    },
    {
      key: 'bench.rollout',
      enabled: true,
      rules: [
        {
          constraints: [{ attribute: 'dealershipId', operator: 'in', values: ['bench-d'] }],
          rollout: {
            stickiness: 'targetingKey',
            variants: [
              { variant: 'on', weight: 25 },
              { variant: 'off', weight: 75 },
            ],
          },
        },
      ],
    },
    ...Array.from({ length: 17 }, (_, i) => ({ key: `bench.extra-${i}`, enabled: i % 2 === 0 })),
  ];
}

import { randomBytes } from 'node:crypto';
import { mintToken } from '@switchboard/auth';
import { createKeyspace } from '@switchboard/keyspace';
import { createPublisher } from '@switchboard/room-log';
import { Redis } from 'ioredis';
import { emptyHistogram, quantile, record } from '../stats/latency-summary.js';
import type { BenchContext } from './bench-context.js';
import { BENCH_DEALERSHIP } from './gateway-target.js';
import { type HttpResult, ensureTime, planSeconds, runPlan } from './http-load.js';
import { startService } from './service-process.js';

const CONCURRENCY = 10;

/**
 * The same publish two ways, in one run: over HTTP (`POST /api/realtime/publish` on a gateway
 * process, autocannon, 10 connections, one room per connection) and through the room-log
 * package in this process (10 publishes in flight, the same rooms and event), to show what the
 * HTTP hop (auth, rate limit, validation, JSON) costs over the room log itself.
 */
export async function runServerApiPublish(ctx: BenchContext): Promise<HttpResult[]> {
  ensureTime(ctx, 2);
  const secret = randomBytes(24).toString('hex');
  const service = await startService(ctx, 'realtime-gateway', secret);
  const token = mintToken(
    {
      sub: 'bench-publisher',
      dealershipId: BENCH_DEALERSHIP,
      role: 'service',
      scope: ['publish'],
      ttl: '2h',
    },
    { secret },
  );
  const seconds = planSeconds(ctx);
  const rooms = Array.from({ length: CONCURRENCY }, (_, i) => `bench-${i}`);
  try {
    const http = await runPlan(ctx, 'realtime-gateway', 'server API publish (HTTP)', 200, {
      baseUrl: service.baseUrl,
      token,
      connections: CONCURRENCY,
      durationSec: seconds,
      plan: 'realtime-publish',
      ids: rooms,
    });
    return [http, await publishInProcess(ctx, rooms, seconds)];
  } finally {
    await service.stop();
  }
}

async function publishInProcess(
  ctx: BenchContext,
  rooms: string[],
  seconds: number,
): Promise<HttpResult> {
  const redis = new Redis(ctx.redis.url);
  const publisher = createPublisher(redis, { keyspace: createKeyspace(''), offlineJobs: false });
  const histogram = emptyHistogram();
  let total = 0;
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  const loop = async (room: string) => {
    while (Date.now() < until) {
      const at = process.hrtime.bigint();
      try {
        await publisher.publish({
          room: `project:${room}`,
          dealershipId: BENCH_DEALERSHIP,
          event: 'project.updated',
          data: { projectId: room, changes: { status: 'building' } },
        });
        total += 1;
      } catch {
        errors += 1;
      }
      record(histogram, Number(process.hrtime.bigint() - at) / 1000);
    }
  };
  try {
    await Promise.all(rooms.map(loop));
  } finally {
    await publisher.close();
    redis.disconnect();
  }
  const elapsedSec = (Date.now() - started) / 1000;
  const ms = (micros: number) => Math.round(micros / 10) / 100;
  const result: HttpResult = {
    service: 'room-log (in-process)',
    label: 'room-log publish (package, same Redis)',
    plan: 'realtime-publish',
    expectedStatus: 200,
    connections: rooms.length,
    durationSec: seconds,
    requestsPerSec: Math.round(total / elapsedSec),
    total,
    p50Ms: ms(quantile(histogram, 0.5)),
    p99Ms: ms(quantile(histogram, 0.99)),
    // One publish is one pass.
    passP99Ms: ms(quantile(histogram, 0.99)),
    maxMs: ms(histogram.max),
    statuses: { '200': total },
    errors,
    timeouts: 0,
    expectedPct: total + errors > 0 ? Math.round((total / (total + errors)) * 10_000) / 100 : 0,
  };
  ctx.log(
    `  ${result.label}: ${result.requestsPerSec} req/s p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms`,
  );
  return result;
}

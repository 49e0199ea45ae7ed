import { type RedisClient, redisReachable } from '@switchboard/redis';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';

/**
 * The worker's /health/ready: Redis reachable and not shutting down. The worker's connections
 * retry forever (BullMQ needs that), so a plain PING would hang while Redis is down; this answers
 * at once (a lost connection) or within 500 ms (an unanswered PING).
 */
export async function workerReadiness(worker: { redis: RedisClient; driver: SandboxDriver }, closing: boolean): Promise<{ status: number; body: string }> {
  const redisOk = await redisReachable(worker.redis).then(
    () => true,
    () => false,
  );
  const report = {
    status: redisOk && !closing ? 'ok' : 'unavailable',
    draining: closing,
    checks: { redis: { ok: redisOk }, 'sandbox-driver': { ok: true, info: { driver: worker.driver.name, freeze: worker.driver.capabilities() } } },
  };
  return { status: report.status === 'ok' ? 200 : 503, body: JSON.stringify(report) };
}

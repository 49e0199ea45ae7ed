import { AppError, ErrorCode } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, defineScript } from '@switchboard/redis';

const admitScript = defineScript<[number, number]>(
  new URL('../../lua/quota-admit-1.lua', import.meta.url),
);

/** A quota is not a rate: it frees only when the tenant terminates something. Retry-After says when to look again. */
const QUOTA_RETRY_AFTER_SECONDS = 60;

export type QuotaName = 'sandboxes' | 'auto-pause-schedules';

export type SandboxQuotas = ReturnType<typeof createSandboxQuotas>;

/**
 * Per-dealership quotas over Redis sets of sandbox ids: the non-terminated sandboxes, and those
 * with auto-pause settings (each has a schedule). A set, not a counter: admitting or releasing the
 * same sandbox twice changes nothing, so a retried request can neither leak nor double-free a slot.
 */
export function createSandboxQuotas(options: {
  redis: RedisClient;
  keyspace: Keyspace;
  limits: Record<QuotaName, number>;
}) {
  const { redis } = options;
  const ks = options.keyspace.sandbox;
  const keyOf = (quota: QuotaName, dealershipId: string) =>
    quota === 'sandboxes'
      ? ks.liveByDealership(dealershipId)
      : ks.autoPauseByDealership(dealershipId);

  /** Takes a slot of `quota` for the sandbox, or throws 429 RATE_LIMITED naming the quota. */
  async function admit(quota: QuotaName, dealershipId: string, sandboxId: string): Promise<void> {
    const limit = options.limits[quota];
    const [admitted, size] = await admitScript(
      redis,
      [keyOf(quota, dealershipId)],
      [sandboxId, limit],
    );
    if (admitted === 1) return;
    throw new AppError(
      ErrorCode.RATE_LIMITED,
      `Quota exceeded: a dealership may have at most ${limit} ${quota === 'sandboxes' ? 'non-terminated sandboxes' : 'sandboxes with auto-pause settings'}.`,
      { quota, limit, current: size, retryAfterSeconds: QUOTA_RETRY_AFTER_SECONDS },
      { headers: { 'retry-after': String(QUOTA_RETRY_AFTER_SECONDS) } },
    );
  }

  async function release(quota: QuotaName, dealershipId: string, sandboxId: string): Promise<void> {
    await redis.srem(keyOf(quota, dealershipId), sandboxId);
  }

  return { admit, release };
}

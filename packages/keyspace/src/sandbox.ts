import type { Prefixer } from './prefix.js';

export function sandboxKeys(p: Prefixer) {
  return {
    metadata: (sandboxId: string) => p(`sandbox:metadata:{${sandboxId}}`),
    history: (sandboxId: string) => p(`sandbox:history:{${sandboxId}}`),
    executions: (sandboxId: string) => p(`sandbox:executions:{${sandboxId}}`),
    /** Carries its sandbox's hash tag: a step of an execution and its outbox entry are one MULTI. */
    execution: (sandboxId: string, executionId: string) =>
      p(`sandbox:execution:{${sandboxId}}:${executionId}`),
    indexAll: () => p('sandbox:index:all'),
    indexByDealership: (dealershipId: string) => p(`sandbox:index:dealership:${dealershipId}`),
    /** hash state -> number of sandboxes in it (the sandbox_state_count gauge). */
    stateCounts: () => p('sandbox:stats:states'),
    controlChannel: () => p('sandbox:control'),
    /** stream: events of this sandbox committed with its state, not yet published (outbox). */
    outbox: (sandboxId: string) => p(`sandbox:outbox:{${sandboxId}}`),
    /** string: the relay that publishes this sandbox's outbox now (token, short TTL). */
    outboxLock: (sandboxId: string) => p(`sandbox:outbox-lock:{${sandboxId}}`),
    /** zset: sandbox ids whose outbox may hold entries -> when marked (ms, Redis clock). */
    outboxPending: () => p('sandbox:outbox-pending'),
    /** string: held while one settings change of this sandbox runs (token, short TTL). */
    settingsLock: (sandboxId: string) => p(`sandbox:settings-lock:{${sandboxId}}`),
    /** set: a dealership's non-terminated sandbox ids; its size is what the sandbox quota counts. */
    liveByDealership: (dealershipId: string) => p(`sandbox:live:{d:${dealershipId}}`),
    /** set: a dealership's sandboxes with auto-pause settings (one schedule each); the schedule quota. */
    autoPauseByDealership: (dealershipId: string) => p(`sandbox:auto-pause:{d:${dealershipId}}`),
  };
}

/** The field of a sandbox's metadata hash that names the dealership owning it. */
const OWNER_FIELD = 'dealershipId';

/** What sandboxOwner needs of a Redis client (ioredis' Redis and Cluster both fit). */
export interface HashFieldReader {
  hget(key: string, field: string): Promise<string | null>;
}

/**
 * The dealership owning a sandbox, or null when there is no such sandbox. The sandbox service
 * writes the metadata hash; other services (the gateway's room checks) ask through this one
 * call, so the hash's layout stays the sandbox side's business.
 */
export async function sandboxOwner(
  redis: HashFieldReader,
  keyspace: { sandbox: ReturnType<typeof sandboxKeys> },
  sandboxId: string,
): Promise<string | null> {
  return redis.hget(keyspace.sandbox.metadata(sandboxId), OWNER_FIELD);
}

import type { Prefixer } from './prefix.js';

export function sandboxKeys(p: Prefixer) {
  return {
    metadata: (sandboxId: string) => p(`sandbox:metadata:{${sandboxId}}`),
    history: (sandboxId: string) => p(`sandbox:history:{${sandboxId}}`),
    executions: (sandboxId: string) => p(`sandbox:executions:{${sandboxId}}`),
    /** Carries its sandbox's hash tag: a step of an execution and its outbox entry are one MULTI. */
    execution: (sandboxId: string, executionId: string) => p(`sandbox:execution:{${sandboxId}}:${executionId}`),
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
    /** set: a dealership's non-terminated sandbox ids; its size is what the sandbox quota counts. */
    liveByDealership: (dealershipId: string) => p(`sandbox:live:{d:${dealershipId}}`),
    /** set: a dealership's sandboxes with auto-pause settings (one schedule each); the schedule quota. */
    autoPauseByDealership: (dealershipId: string) => p(`sandbox:auto-pause:{d:${dealershipId}}`),
  };
}

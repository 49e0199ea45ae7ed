import type { Prefixer } from './prefix.js';

export function sandboxKeys(p: Prefixer) {
  return {
    metadata: (sandboxId: string) => p(`sandbox:metadata:{${sandboxId}}`),
    history: (sandboxId: string) => p(`sandbox:history:{${sandboxId}}`),
    executions: (sandboxId: string) => p(`sandbox:executions:{${sandboxId}}`),
    execution: (executionId: string) => p(`sandbox:execution:${executionId}`),
    indexAll: () => p('sandbox:index:all'),
    indexByDealership: (dealershipId: string) => p(`sandbox:index:dealership:${dealershipId}`),
    /** hash state -> number of sandboxes in it (the sandbox_state_count gauge). */
    stateCounts: () => p('sandbox:stats:states'),
    controlChannel: () => p('sandbox:control'),
    /** set: a dealership's non-terminated sandbox ids; its size is what the sandbox quota counts. */
    liveByDealership: (dealershipId: string) => p(`sandbox:live:{d:${dealershipId}}`),
    /** set: a dealership's sandboxes with auto-pause settings (one schedule each); the schedule quota. */
    autoPauseByDealership: (dealershipId: string) => p(`sandbox:auto-pause:{d:${dealershipId}}`),
  };
}

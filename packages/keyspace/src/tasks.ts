import type { Prefixer } from './prefix.js';

/**
 * Agent tasks and the agent registry. A task's own keys share the task's hash tag (one transition
 * script touches one slot); everything that spans tasks or agents is per dealership and shares the
 * dealership's tag, so the assignment script (capacity check + reservation) is one slot too.
 */
export function taskKeys(p: Prefixer) {
  const d = (dealershipId: string) => `{d:${dealershipId}}`;
  return {
    /** hash: one task (state, version, assignee, input, result, timings). */
    record: (taskId: string) => p(`task:record:{${taskId}}`),
    /** list: the task's transitions, oldest first. */
    history: (taskId: string) => p(`task:history:{${taskId}}`),
    /** set: agents that refused or let the task time out; it is not offered to them again. */
    excluded: (taskId: string) => p(`task:excluded:{${taskId}}`),
    outbox: (taskId: string) => p(`task:outbox:{${taskId}}`),
    outboxLock: (taskId: string) => p(`task:outbox-lock:{${taskId}}`),
    outboxPending: () => p('task:outbox-pending'),
    /** zset: a dealership's task ids by creation time, optionally narrowed to one filter value. */
    index: (
      dealershipId: string,
      filter: 'all' | `${'state' | 'assignee' | 'capability' | 'project'}:${string}`,
    ) => p(`task:index:${d(dealershipId)}:${filter}`),
    /** zset: tasks waiting for an agent with this capability; score orders priority, then age. */
    pending: (dealershipId: string, capability: string) =>
      p(`task:pending:${d(dealershipId)}:${capability}`),
    /** set: capabilities with a non-empty pending zset in this dealership. */
    pendingCapabilities: (dealershipId: string) =>
      p(`task:pending-capabilities:${d(dealershipId)}`),
    /** set: dealerships with pending tasks (what the periodic assigner visits). */
    pendingDealerships: () => p('task:pending-dealerships'),
    /** zset: task id -> when a change of it began; the periodic repair re-derives its indexes. */
    dirty: () => p('task:dirty'),
    /** hash: state -> open tasks in it, all dealerships (tasks_open gauge). */
    stateCounts: () => p('task:stats:states'),
    /** hash: one registered agent (capabilities, maxConcurrent, labels). */
    agent: (dealershipId: string, agentId: string) =>
      p(`agent:record:${d(dealershipId)}:${agentId}`),
    /** zset: a dealership's agent ids by registration time. */
    agents: (dealershipId: string) => p(`agent:index:${d(dealershipId)}:all`),
    /** set: agent ids of a dealership with one capability. */
    agentsByCapability: (dealershipId: string, capability: string) =>
      p(`agent:index:${d(dealershipId)}:capability:${capability}`),
    /** set: the ids of the tasks an agent holds (assigned or accepted): its load. */
    agentLoad: (dealershipId: string, agentId: string) =>
      p(`agent:load:${d(dealershipId)}:${agentId}`),
    /** set: the ids of the tasks an agent has accepted (busy when its size reaches maxConcurrent). */
    agentAccepted: (dealershipId: string, agentId: string) =>
      p(`agent:accepted:${d(dealershipId)}:${agentId}`),
    /** zset: agent id -> when it last became idle (ms): ties in load go to the longest idle. */
    agentIdleSince: (dealershipId: string) => p(`agent:idle-since:${d(dealershipId)}`),
  };
}

import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, defineScript } from '@switchboard/redis';
import type { AgentRegistry, AgentState } from './agent-registry.js';
import type { TaskRecord } from './task-record.js';
import { isOpen } from './task-state.js';

const forgetCapabilityScript = defineScript<number>(
  new URL('../../lua/forget-capability-2.lua', import.meta.url),
);

/** Most waiting tasks one capability's drain looks at per round. */
const DRAIN_WINDOW = 200;

/** Free agents first by load, then by how long they have been idle. */
const byPreference = (a: AgentState, b: AgentState) =>
  a.load - b.load || a.idleSince - b.idleSince || (a.agentId < b.agentId ? -1 : 1);

export interface Assignment {
  /** Commits `pending -> assigned` to this agent; false if the task moved meanwhile. */
  commit(task: TaskRecord, agentId: string): Promise<boolean>;
}

/**
 * Chooses agents for waiting tasks: online agents of the task's dealership with its capability
 * and free capacity, least loaded first, ties to the longest idle. Capacity is taken by the
 * reservation script before the transition, so concurrent assigners can race for a task (one
 * transition wins, the others give their reservation back) but never overfill an agent.
 */
export function createTaskAssigner(deps: {
  redis: RedisClient;
  keyspace: Keyspace;
  agents: AgentRegistry;
  getTask(id: string): Promise<TaskRecord | undefined>;
  excluded(id: string): Promise<Set<string>>;
  /** Called before a reservation, so a process dying right after it leaves a repairable mark. */
  markDirty(id: string): Promise<void>;
  assignment: Assignment;
}) {
  const ks = deps.keyspace.tasks;

  async function freeAgents(dealershipId: string, capability: string): Promise<AgentState[]> {
    const ids = await deps.agents.withCapability(dealershipId, capability);
    const states = await deps.agents.states(dealershipId, ids);
    return states.filter((a) => a.online && a.load < a.maxConcurrent).sort(byPreference);
  }

  /** Offers one task to the free agents in order; true once one holds it. */
  async function offer(task: TaskRecord, free: AgentState[]): Promise<boolean> {
    const excluded = await deps.excluded(task.id);
    for (const agent of free) {
      if (agent.load >= agent.maxConcurrent || excluded.has(agent.agentId)) continue;
      if (task.assignTo && task.assignTo !== agent.agentId) continue;
      await deps.markDirty(task.id);
      const reserved = await deps.agents.reserve(task.dealershipId, agent.agentId, task.id);
      if (reserved === 'full') {
        agent.load = agent.maxConcurrent;
        continue;
      }
      if (reserved !== 'ok') continue;
      if (await deps.assignment.commit(task, agent.agentId)) {
        agent.load += 1;
        free.sort(byPreference);
        return true;
      }
      // Someone else moved the task first: the reservation was for nothing.
      await deps.agents.release(task.dealershipId, agent.agentId, task.id);
      return false;
    }
    return false;
  }

  async function assignOne(task: TaskRecord): Promise<boolean> {
    if (task.state !== 'pending' || (task.notBefore ?? 0) > Date.now()) return false;
    return offer(task, await freeAgents(task.dealershipId, task.capability));
  }

  /** Offers a capability's waiting tasks, highest priority and oldest first, while agents are free. */
  async function drainCapability(dealershipId: string, capability: string): Promise<number> {
    const ids = await deps.redis.zrange(ks.pending(dealershipId, capability), 0, DRAIN_WINDOW - 1);
    if (ids.length === 0) {
      await forgetCapabilityScript(
        deps.redis,
        [ks.pending(dealershipId, capability), ks.pendingCapabilities(dealershipId)],
        [capability],
      );
      return 0;
    }
    const free = await freeAgents(dealershipId, capability);
    if (free.length === 0) return 0;
    let assigned = 0;
    for (const id of ids) {
      if (!free.some((a) => a.load < a.maxConcurrent)) break;
      const task = await deps.getTask(id);
      if (!task || task.state !== 'pending') {
        // Only a finished or expired task's entry goes here: an open one's next transition
        // (maybe back to pending, right now) moves its entry itself.
        if (!task || !isOpen(task.state))
          await deps.redis.zrem(ks.pending(dealershipId, capability), id);
        continue;
      }
      if ((task.notBefore ?? 0) > Date.now()) continue;
      if (await offer(task, free)) assigned += 1;
    }
    return assigned;
  }

  async function drain(dealershipId: string, capabilities?: readonly string[]): Promise<number> {
    const list = capabilities ?? (await deps.redis.smembers(ks.pendingCapabilities(dealershipId)));
    let assigned = 0;
    for (const capability of list) assigned += await drainCapability(dealershipId, capability);
    return assigned;
  }

  /** The periodic pass: every dealership with waiting tasks (agents may have come online). */
  async function sweep(): Promise<number> {
    const dealerships = await deps.redis.smembers(ks.pendingDealerships());
    let assigned = 0;
    for (const d of dealerships) assigned += await drain(d);
    return assigned;
  }

  return { assignOne, drain, sweep, freeAgents };
}

import { AppError, ErrorCode } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import type { Outbox } from '@switchboard/outbox';
import type { RedisClient } from '@switchboard/redis';
import type { AgentRegistry } from './agent-registry.js';
import { createTaskAssigner } from './task-assigner.js';
import type { TaskSettings } from './task-config.js';
import type { TaskMetrics } from './task-metrics.js';
import type { TaskRecord } from './task-record.js';
import type { TaskTimers } from './task-timers.js';
import {
  type CreateTaskInput,
  type TaskOutcome,
  type TaskStore,
  type TaskTransitionInput,
  newTaskId,
} from './task-store.js';
import { isOpen } from './task-state.js';

/** The refusal a client sees for an outcome that is not ok. */
export function taskOutcomeError(outcome: Exclude<TaskOutcome, { kind: 'ok' }>, id: string) {
  if (outcome.kind === 'missing')
    return new AppError(ErrorCode.RECORD_NOT_FOUND, 'Task not found.', { id });
  if (outcome.kind === 'not-assignee')
    return new AppError(ErrorCode.FORBIDDEN, 'Only the task’s assignee may do this.', {
      taskId: id,
    });
  const details = {
    taskId: id,
    from: outcome.from,
    to: outcome.to,
    version: outcome.version,
    reason: outcome.kind === 'stale' ? 'version_mismatch' : 'illegal_transition',
  };
  return new AppError(
    ErrorCode.INVALID_STATE_TRANSITION,
    outcome.kind === 'stale'
      ? `The task is at version ${outcome.version}, not the one this change was based on.`
      : `A task in state ${outcome.from} cannot become ${outcome.to}.`,
    details,
  );
}

export type TaskOperations = ReturnType<typeof createTaskOperations>;

/**
 * Every change of a task and what follows from it: the atomic transition (state, history and
 * outbox), its events, its timers, and offering tasks to agents when capacity frees up. Routes
 * and timer jobs both come through here.
 */
export function createTaskOperations(deps: {
  redis: RedisClient;
  keyspace: Keyspace;
  store: TaskStore;
  agents: AgentRegistry;
  events: Outbox;
  timers: TaskTimers;
  settings: TaskSettings;
  metrics?: TaskMetrics | undefined;
}) {
  const { store, events, timers, settings } = deps;

  async function transition(input: TaskTransitionInput): Promise<TaskOutcome> {
    // Marked before the commit: if this process dies right after it, a sweeper publishes the event.
    await events.markPending(input.id);
    const outcome = await store.transition(input);
    if (outcome.kind === 'ok') {
      await events.relay(input.id);
      deps.metrics?.transitioned(outcome.before, outcome.task);
    }
    return outcome;
  }

  const assigner = createTaskAssigner({
    redis: deps.redis,
    keyspace: deps.keyspace,
    agents: deps.agents,
    getTask: (id) => store.get(id),
    excluded: (id) => store.excluded(id),
    markDirty: (id) => store.markDirty(id),
    assignment: {
      async commit(task, agentId) {
        const now = Date.now();
        const outcome = await transition({
          id: task.id,
          action: 'assign',
          actor: 'system',
          expectedVersion: task.version,
          agentId,
          set: { assignee: agentId, assignedAt: String(now), notBefore: '' },
          now,
        });
        if (outcome.kind !== 'ok') return false;
        await timers.acceptTimeout(task.id, outcome.task.version, outcome.task.acceptTimeoutMs);
        return true;
      },
    },
  });

  /** After a task let go of an agent: its waiting tasks may now fit. Failures wait for the sweep. */
  async function afterRelease(task: TaskRecord): Promise<void> {
    await assigner.drain(task.dealershipId).catch(() => undefined);
  }

  async function create(input: Omit<CreateTaskInput, 'id'>): Promise<TaskRecord> {
    const id = newTaskId();
    await events.markPending(id);
    const created = await store.create({ ...input, id });
    await events.relay(id);
    deps.metrics?.created(created);
    if (created.deadline !== null) await timers.deadline(id, created.deadline);
    await assigner.assignOne(created);
    return (await store.get(id)) ?? created;
  }

  /** The assignee's and the creator's actions; `expectedVersion` is If-Match when given. */
  async function act(
    task: TaskRecord,
    action: 'accept' | 'reject' | 'complete' | 'fail' | 'cancel',
    input: {
      actor: string;
      asAssignee: boolean;
      expectedVersion?: number | undefined;
      reason?: string | undefined;
      result?: unknown;
      error?: unknown;
      retryable?: boolean | undefined;
    },
  ): Promise<TaskOutcome> {
    const now = Date.now();
    const common = {
      id: task.id,
      actor: input.actor,
      reason: input.reason,
      expectedVersion: input.expectedVersion,
      requiredAssignee: input.asAssignee ? input.actor : undefined,
      now,
    };
    let outcome: TaskOutcome;
    if (action === 'accept')
      outcome = await transition({ ...common, action, set: { acceptedAt: String(now) } });
    else if (action === 'reject') {
      // Excluded first, so no assigner can offer it back to this agent in between.
      if (task.assignee === input.actor && task.state === 'assigned')
        await store.exclude(task.id, input.actor);
      outcome = await transition({
        ...common,
        action,
        agentId: input.actor,
        set: { assignee: '', assignedAt: '' },
      });
    } else if (action === 'complete')
      outcome = await transition({
        ...common,
        action,
        set: { result: JSON.stringify(input.result ?? null), finishedAt: String(now) },
      });
    else if (action === 'fail') {
      const attempts = task.attempts + 1;
      const retry = input.retryable === true && attempts < settings.TASK_MAX_ATTEMPTS;
      const delay = settings.TASK_RETRY_BASE_MS * 2 ** (attempts - 1);
      const error = JSON.stringify(input.error ?? null);
      outcome = retry
        ? await transition({
            ...common,
            action: 'retry',
            set: {
              attempts: String(attempts),
              error,
              notBefore: String(now + delay),
              assignee: '',
              assignedAt: '',
              acceptedAt: '',
            },
          })
        : await transition({
            ...common,
            action: 'fail',
            set: { attempts: String(attempts), error, finishedAt: String(now) },
          });
      if (retry && outcome.kind === 'ok') await timers.retry(task.id, attempts, delay);
    } else
      outcome = await transition({
        ...common,
        action: 'cancel',
        requiredAssignee: undefined,
        set: { finishedAt: String(now) },
      });
    if (outcome.kind !== 'ok') return outcome;
    if (action === 'reject') await assigner.assignOne(outcome.task);
    if (action !== 'accept') await afterRelease(outcome.task);
    return outcome;
  }

  /** The assignee hands an accepted task to another agent (named, or by capability). */
  async function delegate(
    task: TaskRecord,
    input: {
      actor: string;
      toAgentId?: string | undefined;
      capability?: string | undefined;
      reason?: string | undefined;
      expectedVersion?: number | undefined;
    },
  ): Promise<TaskOutcome> {
    if (task.assignee !== input.actor)
      return { kind: 'not-assignee', from: task.state, to: 'assigned', version: task.version };
    if (task.state !== 'accepted')
      return { kind: 'denied', from: task.state, to: 'assigned', version: task.version };
    const capability = input.capability ?? task.capability;
    let target: string | undefined;
    if (input.toAgentId) {
      if (input.toAgentId === input.actor)
        throw new AppError(
          ErrorCode.VALIDATION_ERROR,
          'A task cannot be delegated to its assignee.',
          {
            location: 'body',
            fields: [{ path: '/toAgentId', message: 'is the assignee' }],
          },
        );
      const agent = await deps.agents.get(task.dealershipId, input.toAgentId);
      if (!agent)
        throw new AppError(ErrorCode.RECORD_NOT_FOUND, 'Agent not found.', { id: input.toAgentId });
      await store.markDirty(task.id);
      const reserved = await deps.agents.reserve(task.dealershipId, input.toAgentId, task.id);
      if (reserved === 'ok') target = input.toAgentId;
    } else {
      const free = await assigner.freeAgents(task.dealershipId, capability);
      for (const agent of free) {
        if (agent.agentId === input.actor) continue;
        await store.markDirty(task.id);
        if ((await deps.agents.reserve(task.dealershipId, agent.agentId, task.id)) === 'ok') {
          target = agent.agentId;
          break;
        }
      }
    }
    if (!target)
      throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, 'No agent can take this task now.', {
        taskId: task.id,
        reason: 'no_agent_available',
        capability,
      });
    const now = Date.now();
    const outcome = await transition({
      id: task.id,
      action: 'delegate',
      actor: input.actor,
      reason: input.reason,
      expectedVersion: input.expectedVersion ?? task.version,
      requiredAssignee: input.actor,
      agentId: target,
      delegatedFrom: input.actor,
      set: { assignee: target, assignedAt: String(now), acceptedAt: '', capability },
      now,
    });
    if (outcome.kind !== 'ok') {
      await deps.agents.release(task.dealershipId, target, task.id);
      return outcome;
    }
    await timers.acceptTimeout(task.id, outcome.task.version, outcome.task.acceptTimeoutMs);
    await afterRelease(outcome.task);
    return outcome;
  }

  /** Accept timeout: back to pending (the agent is not offered it again), then the next agent. */
  async function acceptTimedOut(taskId: string, version: number): Promise<void> {
    const task = await store.get(taskId);
    if (!task || task.version !== version || task.state !== 'assigned' || !task.assignee) return;
    await store.exclude(taskId, task.assignee);
    const outcome = await transition({
      id: taskId,
      action: 'timeout',
      actor: 'system',
      reason: 'accept_timeout',
      expectedVersion: version,
      agentId: task.assignee,
      set: { assignee: '', assignedAt: '' },
    });
    if (outcome.kind !== 'ok') return;
    await assigner.assignOne(outcome.task);
    await afterRelease(outcome.task);
  }

  /** The deadline passed: an open task fails with `deadline_exceeded`. */
  async function deadlinePassed(taskId: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const task = await store.get(taskId);
      if (!task || !isOpen(task.state)) return;
      const now = Date.now();
      const outcome = await transition({
        id: taskId,
        action: 'expire',
        actor: 'system',
        reason: 'deadline_exceeded',
        expectedVersion: task.version,
        set: {
          error: JSON.stringify({ code: 'deadline_exceeded' }),
          finishedAt: String(now),
        },
        now,
      });
      if (outcome.kind === 'ok') {
        await afterRelease(outcome.task);
        return;
      }
      if (outcome.kind !== 'stale') return;
    }
  }

  async function retryDue(taskId: string): Promise<void> {
    const task = await store.get(taskId);
    if (task?.state === 'pending') await assigner.assignOne(task);
  }

  return {
    create,
    act,
    delegate,
    acceptTimedOut,
    deadlinePassed,
    retryDue,
    drain: (dealershipId: string, capabilities?: readonly string[]) =>
      assigner.drain(dealershipId, capabilities),
    /** The periodic pass: repair what died midway, then offer waiting tasks to free agents. */
    sweep: async () => {
      await store.repairDirty(settings.TASK_REPAIR_AFTER_MS);
      return assigner.sweep();
    },
  };
}

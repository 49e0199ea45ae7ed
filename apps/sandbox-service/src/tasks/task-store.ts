import { randomUUID } from 'node:crypto';
import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, commandBatch, defineScript } from '@switchboard/redis';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { type IndexPosition, descendingIndex, isIndexPosition } from '../domain/score-index.js';
import { type TaskHistoryEntry, type TaskRecord, hashOf, parseTask } from './task-record.js';
import {
  TASK_STATES,
  type TaskAction,
  type TaskState,
  allowedFrom,
  isHeld,
  isOpen,
  targetOf,
} from './task-state.js';

const transitionScript = defineScript<[string, string?, string?, string[]?]>(
  new URL('../../lua/task-transition-3.lua', import.meta.url),
);
const clearMarkScript = defineScript<number>(
  new URL('../../lua/clear-mark-1.lua', import.meta.url),
);

export const newTaskId = () => `tsk_${randomUUID().replaceAll('-', '')}`;

export interface CreateTaskInput {
  id: string;
  dealershipId: string;
  actor: string;
  title: string;
  capability: string;
  input: unknown;
  projectId?: string | undefined;
  priority: number;
  assignTo?: string | undefined;
  acceptTimeoutMs: number;
  deadline?: number | undefined;
  now?: number;
}

export interface TaskTransitionInput {
  id: string;
  action: TaskAction;
  actor: string;
  reason?: string | undefined;
  /** Optimistic lock: applies only at this version (If-Match, or the version a decision read). */
  expectedVersion?: number | undefined;
  /** Only this agent may make the transition (the assignee's own actions). */
  requiredAssignee?: string | undefined;
  /** Fields to set ('' removes one). */
  set?: Record<string, string>;
  agentId?: string | undefined;
  delegatedFrom?: string | undefined;
  now?: number;
}

export type TaskOutcome =
  | { kind: 'ok'; before: TaskRecord; task: TaskRecord; entry: TaskHistoryEntry }
  | { kind: 'missing' }
  | { kind: 'denied' | 'stale' | 'not-assignee'; from: TaskState; to: TaskState; version: number };

export interface TaskListQuery {
  dealershipId: string;
  state?: TaskState | undefined;
  assignee?: string | undefined;
  capability?: string | undefined;
  projectId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Higher priority first, then older first. */
const pendingScore = (priority: number, createdAt: number) => (10 - priority) * 1e13 + createdAt;

export type TaskStore = ReturnType<typeof createTaskStore>;

/**
 * Tasks in Redis: a hash, a history list, an exclusion set and an outbox per task (one hash
 * tag), and per-dealership indexes (another tag) moved after each transition. The transition
 * itself is the atomic step; the indexes follow it and are repaired by the periodic assigner's
 * reconciliation if a process dies in between (see task-assigner.ts).
 */
export function createTaskStore(options: {
  redis: RedisClient;
  keyspace: Keyspace;
  historyMax: number;
  retentionSec: number;
}) {
  const { redis } = options;
  const ks = options.keyspace.tasks;

  async function get(id: string): Promise<TaskRecord | undefined> {
    if (id.length === 0 || id.length > 128) return undefined;
    return parseTask(await redis.hgetall(ks.record(id)));
  }

  async function create(input: CreateTaskInput): Promise<TaskRecord> {
    const now = input.now ?? Date.now();
    const fields: Record<string, string> = {
      id: input.id,
      dealershipId: input.dealershipId,
      title: input.title,
      capability: input.capability,
      state: 'pending',
      createdBy: input.actor,
      projectId: input.projectId ?? '',
      priority: String(input.priority),
      version: '1',
      input: JSON.stringify(input.input ?? null),
      createdAt: String(now),
      updatedAt: String(now),
      acceptTimeoutMs: String(input.acceptTimeoutMs),
      attempts: '0',
      historySeq: '1',
      ...(input.assignTo ? { assignTo: input.assignTo } : {}),
      ...(input.deadline !== undefined ? { deadline: String(input.deadline) } : {}),
    };
    await markDirty(input.id);
    const entry: TaskHistoryEntry = {
      seq: 1,
      action: 'create',
      from: null,
      to: 'pending',
      actor: input.actor,
      reason: null,
      at: now,
    };
    await redis
      .multi()
      .hset(ks.record(input.id), fields)
      .rpush(ks.history(input.id), JSON.stringify(entry))
      .xadd(
        ks.outbox(input.id),
        '*',
        'm',
        JSON.stringify({ entry, fields: Object.entries(fields).flat() }),
      )
      .exec();
    const task = parseTask(fields)!;
    await reindex(undefined, task, now);
    return task;
  }

  /** Moves the task between the dealership's indexes and its agents' load sets. */
  async function reindex(before: TaskRecord | undefined, after: TaskRecord, now: number) {
    const d = after.dealershipId;
    // One MULTI per slot (Redis Cluster): the dealership's indexes and load sets; the global
    // counters and the set of dealerships with waiting tasks go separately.
    const multi = redis.multi();
    const counters = commandBatch(redis);
    if (!before) {
      multi.zadd(ks.index(d, 'all'), after.createdAt, after.id);
      multi.zadd(ks.index(d, `capability:${after.capability}`), after.createdAt, after.id);
      if (after.projectId)
        multi.zadd(ks.index(d, `project:${after.projectId}`), after.createdAt, after.id);
      counters.hincrby(ks.stateCounts(), after.state, 1);
    } else if (before.state !== after.state) {
      multi.zrem(ks.index(d, `state:${before.state}`), after.id);
      if (isOpen(before.state)) counters.hincrby(ks.stateCounts(), before.state, -1);
      if (isOpen(after.state)) counters.hincrby(ks.stateCounts(), after.state, 1);
    }
    if (before && before.capability !== after.capability) {
      multi.zrem(ks.index(d, `capability:${before.capability}`), after.id);
      multi.zadd(ks.index(d, `capability:${after.capability}`), after.createdAt, after.id);
    }
    multi.zadd(ks.index(d, `state:${after.state}`), after.createdAt, after.id);
    if (before?.assignee && before.assignee !== after.assignee)
      multi.zrem(ks.index(d, `assignee:${before.assignee}`), after.id);
    if (after.assignee)
      multi.zadd(ks.index(d, `assignee:${after.assignee}`), after.createdAt, after.id);
    if (before?.assignee && isHeld(before.state)) {
      const released = before.assignee !== after.assignee || !isHeld(after.state);
      if (released) {
        multi.srem(ks.agentLoad(d, before.assignee), after.id);
        multi.zadd(ks.agentIdleSince(d), now, before.assignee);
      }
      if (before.state === 'accepted' && (released || after.state !== 'accepted'))
        multi.srem(ks.agentAccepted(d, before.assignee), after.id);
    }
    if (after.assignee && isHeld(after.state))
      multi.sadd(ks.agentLoad(d, after.assignee), after.id);
    if (after.assignee && after.state === 'accepted')
      multi.sadd(ks.agentAccepted(d, after.assignee), after.id);
    if (after.state === 'pending') {
      multi.zadd(
        ks.pending(d, after.capability),
        pendingScore(after.priority, after.createdAt),
        after.id,
      );
      multi.sadd(ks.pendingCapabilities(d), after.capability);
      counters.sadd(ks.pendingDealerships(), d);
    } else if (before?.state === 'pending') multi.zrem(ks.pending(d, after.capability), after.id);
    await multi.exec();
    await counters.exec();
    if (!isOpen(after.state)) {
      // Finished tasks stay readable for the retention, then go; list reads drop their index entries.
      const ttl = options.retentionSec;
      await redis
        .multi()
        .expire(ks.record(after.id), ttl)
        .expire(ks.history(after.id), ttl)
        .expire(ks.excluded(after.id), ttl)
        .expire(ks.outbox(after.id), ttl)
        .exec();
    }
  }

  async function transition(input: TaskTransitionInput): Promise<TaskOutcome> {
    const to = targetOf(input.action);
    const now = input.now ?? Date.now();
    const before = await get(input.id);
    if (!before) return { kind: 'missing' };
    await markDirty(input.id);
    const extra: Record<string, string> = {};
    if (input.agentId) extra['agentId'] = input.agentId;
    if (input.delegatedFrom) extra['delegatedFrom'] = input.delegatedFrom;
    // The version read above is the lock unless the caller brought its own (If-Match): the
    // record cannot change between this read and the script without the script refusing.
    const expected = input.expectedVersion ?? before.version;
    const [kind, from, entryJson, fields] = await transitionScript(
      redis,
      [ks.record(input.id), ks.history(input.id), ks.outbox(input.id)],
      [
        input.action,
        to,
        allowedFrom(input.action).join(','),
        String(now),
        input.actor,
        input.reason ?? '',
        String(expected),
        input.requiredAssignee ?? '',
        JSON.stringify(input.set ?? {}),
        JSON.stringify(extra),
        String(options.historyMax),
      ],
    );
    if (kind === 'missing') return { kind: 'missing' };
    if (kind !== 'ok')
      return {
        kind: kind as 'denied' | 'stale' | 'not-assignee',
        from: from as TaskState,
        to,
        version: Number(entryJson),
      };
    const task = parseTask(hashOf(fields ?? []))!;
    await reindex(before, task, now);
    return { kind: 'ok', before, task, entry: JSON.parse(entryJson!) as TaskHistoryEntry };
  }

  /**
   * Marks a task before a change whose follow-up writes (indexes, load sets) live in another slot
   * than the task: if the process dies in between, `repairDirty` re-derives them from the task.
   */
  async function markDirty(id: string): Promise<void> {
    await redis.zadd(ks.dirty(), Date.now(), id);
  }

  /** Puts the task in exactly the indexes and load sets its record says, whatever happened before. */
  async function repair(id: string): Promise<void> {
    const task = await get(id);
    if (!task) return;
    const d = task.dealershipId;
    const entries = await history(id);
    const agents = new Set<string>();
    for (const entry of entries) {
      if (entry.agentId) agents.add(entry.agentId);
      if (entry.delegatedFrom) agents.add(entry.delegatedFrom);
    }
    if (task.assignee) agents.add(task.assignee);
    // A reservation whose transition never came is in no history: any agent of the capability may hold it.
    for (const agent of await redis.smembers(ks.agentsByCapability(d, task.capability)))
      agents.add(agent);
    const capabilities = new Set([task.capability]);
    const multi = redis.multi();
    for (const state of TASK_STATES)
      if (state === task.state) multi.zadd(ks.index(d, `state:${state}`), task.createdAt, id);
      else multi.zrem(ks.index(d, `state:${state}`), id);
    multi.zadd(ks.index(d, 'all'), task.createdAt, id);
    multi.zadd(ks.index(d, `capability:${task.capability}`), task.createdAt, id);
    if (task.projectId) multi.zadd(ks.index(d, `project:${task.projectId}`), task.createdAt, id);
    for (const agent of agents) {
      const holds = agent === task.assignee && isHeld(task.state);
      if (holds) multi.sadd(ks.agentLoad(d, agent), id);
      else multi.srem(ks.agentLoad(d, agent), id);
      if (holds && task.state === 'accepted') multi.sadd(ks.agentAccepted(d, agent), id);
      else multi.srem(ks.agentAccepted(d, agent), id);
      if (agent === task.assignee) multi.zadd(ks.index(d, `assignee:${agent}`), task.createdAt, id);
      else multi.zrem(ks.index(d, `assignee:${agent}`), id);
    }
    for (const capability of capabilities)
      if (task.state === 'pending') {
        multi.zadd(ks.pending(d, capability), pendingScore(task.priority, task.createdAt), id);
        multi.sadd(ks.pendingCapabilities(d), capability);
      } else multi.zrem(ks.pending(d, capability), id);
    await multi.exec();
    if (task.state === 'pending') await redis.sadd(ks.pendingDealerships(), d);
  }

  /** Repairs tasks marked longer than `olderThanMs` ago (their change died midway, or finished unmarked). */
  async function repairDirty(olderThanMs: number, limit = 500): Promise<number> {
    const raw = await redis.zrangebyscore(
      ks.dirty(),
      '-inf',
      String(Date.now() - olderThanMs),
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    for (let i = 0; i + 1 < raw.length; i += 2) {
      await repair(raw[i]!);
      await clearMarkScript(redis, [ks.dirty()], [raw[i]!, raw[i + 1]!]);
    }
    return raw.length / 2;
  }

  async function history(id: string): Promise<TaskHistoryEntry[]> {
    const raw = await redis.lrange(ks.history(id), 0, -1);
    return raw.map((line) => JSON.parse(line) as TaskHistoryEntry);
  }

  async function excluded(id: string): Promise<Set<string>> {
    return new Set(await redis.smembers(ks.excluded(id)));
  }

  async function exclude(id: string, agentId: string): Promise<void> {
    await redis.sadd(ks.excluded(id), agentId);
  }

  /** The most selective index the query names; the other filters are applied to what it yields. */
  function indexOf(query: TaskListQuery): string {
    const d = query.dealershipId;
    if (query.assignee) return ks.index(d, `assignee:${query.assignee}`);
    if (query.projectId) return ks.index(d, `project:${query.projectId}`);
    if (query.state) return ks.index(d, `state:${query.state}`);
    if (query.capability) return ks.index(d, `capability:${query.capability}`);
    return ks.index(d, 'all');
  }

  async function list(
    query: TaskListQuery,
  ): Promise<{ items: TaskRecord[]; nextCursor: string | null }> {
    const key = indexOf(query);
    const cursor = decodeCursor(query.cursor, isIndexPosition);
    const items: TaskRecord[] = [];
    // A page reads at most this many index entries; past it the page ends with a cursor.
    const maxScanned = 2_000;
    let scanned = 0;
    let last: IndexPosition | undefined;
    for await (const fresh of descendingIndex(redis, key, cursor, 100)) {
      if (scanned >= maxScanned) return { items, nextCursor: last ? encodeCursor(last) : null };
      const pipeline = commandBatch(redis);
      for (const position of fresh) pipeline.hgetall(ks.record(position.id));
      const hashes = (await pipeline.exec()) ?? [];
      const gone: string[] = [];
      for (const [index, position] of fresh.entries()) {
        if (items.length === query.limit) break;
        scanned += 1;
        last = position;
        const task = parseTask((hashes[index]?.[1] ?? {}) as Record<string, string>);
        if (!task) {
          gone.push(position.id);
          continue;
        }
        if (query.state && task.state !== query.state) continue;
        if (query.assignee && task.assignee !== query.assignee) continue;
        if (query.capability && task.capability !== query.capability) continue;
        if (query.projectId && task.projectId !== query.projectId) continue;
        items.push(task);
      }
      // Expired tasks (retention) leave their index entries behind; the first list that meets them drops them.
      if (gone.length > 0) await redis.zrem(key, ...gone);
      if (items.length === query.limit)
        return { items, nextCursor: last ? encodeCursor(last) : null };
    }
    return { items, nextCursor: null };
  }

  async function stateCounts(): Promise<Record<TaskState, number>> {
    const raw = await redis.hgetall(ks.stateCounts());
    return Object.fromEntries(
      TASK_STATES.map((state) => [state, Math.max(0, Number(raw[state] ?? 0))]),
    ) as Record<TaskState, number>;
  }

  return {
    get,
    create,
    transition,
    history,
    excluded,
    exclude,
    list,
    stateCounts,
    markDirty,
    repairDirty,
  };
}

import { randomUUID } from 'node:crypto';
import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, commandBatch } from '@switchboard/redis';
import type { RunningExecution } from './auto-pause-policy.js';
import type { ExecutionStep, SandboxOutboxEntry } from './sandbox-outbox-entry.js';
import { optionalNumber } from './hash-fields.js';

type ExecutionState = 'queued' | 'running' | 'completed' | 'failed';

export interface ExecutionRecord {
  id: string;
  sandboxId: string;
  dealershipId: string;
  tool: string;
  input: unknown;
  timeoutMs: number;
  state: ExecutionState;
  actor: string;
  createdAt: number;
  startedAt?: number | undefined;
  finishedAt?: number | undefined;
  /** Wall-clock time from start to finish. */
  durationMs?: number | undefined;
  /** Time it really ran: wall time minus the time its sandbox was paused. */
  activeMs?: number | undefined;
  pausedMsAtStart?: number | undefined;
  attempts: number;
  output?: unknown;
  error?: string | undefined;
}

function parseExecution(hash: Record<string, string>): ExecutionRecord | undefined {
  if (!hash['id']) return undefined;
  return {
    id: hash['id'],
    sandboxId: hash['sandboxId'] ?? '',
    dealershipId: hash['dealershipId'] ?? '',
    tool: hash['tool'] ?? '',
    input: JSON.parse(hash['input'] ?? 'null'),
    timeoutMs: Number(hash['timeoutMs']),
    state: (hash['state'] ?? 'queued') as ExecutionState,
    actor: hash['actor'] ?? '',
    createdAt: Number(hash['createdAt']),
    startedAt: optionalNumber(hash['startedAt']),
    finishedAt: optionalNumber(hash['finishedAt']),
    durationMs: optionalNumber(hash['durationMs']),
    activeMs: optionalNumber(hash['activeMs']),
    pausedMsAtStart: optionalNumber(hash['pausedMsAtStart']),
    attempts: Number(hash['attempts'] ?? 0),
    output: hash['output'] === undefined ? undefined : JSON.parse(hash['output']),
    error: hash['error'],
  };
}

export type ExecutionStore = ReturnType<typeof createExecutionStore>;

/**
 * Tool executions: one hash each (kept `ttlSec`), and a per-sandbox sorted set of the newest
 * `perSandboxMax`. A step that changes an execution's state puts its event in the sandbox's
 * outbox in the same MULTI (same hash tag), so execution events and the sandbox's transitions
 * leave in one order.
 */
export function createExecutionStore(options: {
  redis: RedisClient;
  keyspace: Keyspace;
  ttlSec: number;
  perSandboxMax: number;
}) {
  const { redis, keyspace: ks, ttlSec } = options;
  const key = (execution: Pick<ExecutionRecord, 'sandboxId' | 'id'>) =>
    ks.sandbox.execution(execution.sandboxId, execution.id);
  const outboxEntry = (execution: ExecutionRecord, step: ExecutionStep): string => {
    const entry: SandboxOutboxEntry = {
      kind: 'execution',
      execution: {
        id: execution.id,
        sandboxId: execution.sandboxId,
        dealershipId: execution.dealershipId,
        tool: execution.tool,
      },
      ...step,
    };
    return JSON.stringify(entry);
  };

  async function create(
    input: Pick<
      ExecutionRecord,
      'sandboxId' | 'dealershipId' | 'tool' | 'input' | 'timeoutMs' | 'actor'
    >,
  ): Promise<ExecutionRecord> {
    const record: ExecutionRecord = {
      ...input,
      id: `exe_${randomUUID().replaceAll('-', '')}`,
      state: 'queued',
      createdAt: Date.now(),
      attempts: 0,
    };
    await redis
      .multi()
      .hset(key(record), {
        id: record.id,
        sandboxId: record.sandboxId,
        dealershipId: record.dealershipId,
        tool: record.tool,
        input: JSON.stringify(record.input),
        timeoutMs: String(record.timeoutMs),
        state: record.state,
        actor: record.actor,
        createdAt: String(record.createdAt),
        attempts: '0',
      })
      .expire(key(record), ttlSec)
      .exec();
    await redis
      .multi()
      .zadd(ks.sandbox.executions(record.sandboxId), record.createdAt, record.id)
      .zremrangebyrank(ks.sandbox.executions(record.sandboxId), 0, -(options.perSandboxMax + 1))
      .exec();
    return record;
  }

  async function get(sandboxId: string, id: string): Promise<ExecutionRecord | undefined> {
    if (id.length === 0 || id.length > 128) return undefined;
    return parseExecution(await redis.hgetall(ks.sandbox.execution(sandboxId, id)));
  }

  /** Starts an attempt; its `sandbox.execution.started` event goes to the sandbox's outbox with it. */
  async function markRunning(
    execution: ExecutionRecord,
    startedAt: number,
    pausedMsAtStart: number,
  ): Promise<void> {
    await redis
      .multi()
      .hset(key(execution), {
        state: 'running',
        startedAt: String(startedAt),
        pausedMsAtStart: String(pausedMsAtStart),
      })
      .hincrby(key(execution), 'attempts', 1)
      .xadd(
        ks.sandbox.outbox(execution.sandboxId),
        '*',
        'm',
        outboxEntry(execution, { step: 'started', at: startedAt, attempt: execution.attempts + 1 }),
      )
      .exec();
  }

  /** Ends an execution; its completed or failed event goes to the sandbox's outbox with it. */
  async function finish(
    execution: ExecutionRecord,
    result: {
      state: 'completed' | 'failed';
      finishedAt: number;
      durationMs: number;
      activeMs: number;
      output?: unknown;
      error?: string | undefined;
    },
  ): Promise<void> {
    const fields: Record<string, string> = {
      state: result.state,
      finishedAt: String(result.finishedAt),
      durationMs: String(result.durationMs),
      activeMs: String(result.activeMs),
    };
    if (result.output !== undefined) fields['output'] = JSON.stringify(result.output);
    if (result.error !== undefined) fields['error'] = result.error;
    const step: ExecutionStep = {
      step: result.state,
      at: result.finishedAt,
      durationMs: result.durationMs,
      activeMs: result.activeMs,
      output: result.output,
      error: result.error,
    };
    await redis
      .multi()
      .hset(key(execution), fields)
      .xadd(ks.sandbox.outbox(execution.sandboxId), '*', 'm', outboxEntry(execution, step))
      .exec();
  }

  /** Executions of a sandbox that are running now (from the newest 100). */
  async function running(sandboxId: string): Promise<RunningExecution[]> {
    const ids = await redis.zrevrange(ks.sandbox.executions(sandboxId), 0, 99);
    if (ids.length === 0) return [];
    const pipeline = commandBatch(redis);
    for (const id of ids)
      pipeline.hmget(
        ks.sandbox.execution(sandboxId, id),
        'state',
        'startedAt',
        'pausedMsAtStart',
        'limitReportedAt',
      );
    const rows = (await pipeline.exec()) ?? [];
    return ids.flatMap((executionId, index) => {
      const [state, startedAt, pausedMsAtStart, limitReportedAt] = (rows[index]?.[1] ??
        []) as Array<string | null>;
      return state === 'running'
        ? [
            {
              executionId,
              startedAt: Number(startedAt),
              pausedMsAtStart: Number(pausedMsAtStart ?? 0),
              limitReported: Boolean(limitReportedAt),
            },
          ]
        : [];
    });
  }

  /** Remembers that this execution's time limit already paused its sandbox (see auto-pause-policy.ts). */
  async function markLimitReported(sandboxId: string, id: string, at = Date.now()): Promise<void> {
    await redis.hset(ks.sandbox.execution(sandboxId, id), 'limitReportedAt', String(at));
  }

  /** Takes the mark back when the pause it announced did not happen. */
  async function clearLimitReported(sandboxId: string, id: string): Promise<void> {
    await redis.hdel(ks.sandbox.execution(sandboxId, id), 'limitReportedAt');
  }

  return { create, get, markRunning, finish, running, markLimitReported, clearLimitReported };
}

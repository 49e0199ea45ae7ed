import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, commandBatch, defineScript } from '@switchboard/redis';
import type { UserPresence } from '@switchboard/room-log';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';

const reserveScript = defineScript<'ok' | 'held' | 'full' | 'missing'>(
  new URL('../../lua/agent-reserve-2.lua', import.meta.url),
);

export type AgentStatus = 'online' | 'busy' | 'offline';

export interface AgentRecord {
  agentId: string;
  dealershipId: string;
  capabilities: string[];
  maxConcurrent: number;
  labels: Record<string, string>;
  registeredAt: number;
  updatedAt: number;
}

export interface AgentState extends AgentRecord {
  status: AgentStatus;
  /** Tasks it holds, assigned or accepted (what capacity counts). */
  load: number;
  /** Tasks it has accepted (busy when this reaches maxConcurrent). */
  activeTasks: number;
  online: boolean;
  idleSince: number;
}

export interface RegisterInput {
  dealershipId: string;
  agentId: string;
  capabilities: string[];
  maxConcurrent: number;
  labels: Record<string, string>;
  now?: number;
}

function parseAgent(hash: Record<string, string>): AgentRecord | undefined {
  if (!hash['agentId']) return undefined;
  return {
    agentId: hash['agentId'],
    dealershipId: hash['dealershipId'] ?? '',
    capabilities: JSON.parse(hash['capabilities'] ?? '[]') as string[],
    maxConcurrent: Number(hash['maxConcurrent'] ?? 1),
    labels: JSON.parse(hash['labels'] ?? '{}') as Record<string, string>,
    registeredAt: Number(hash['registeredAt']),
    updatedAt: Number(hash['updatedAt']),
  };
}

const statusOf = (online: boolean, activeTasks: number, maxConcurrent: number): AgentStatus =>
  !online ? 'offline' : activeTasks >= maxConcurrent ? 'busy' : 'online';

interface AgentCursor {
  s: number;
  id: string;
}
const isAgentCursor = (value: unknown): value is AgentCursor =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as AgentCursor).s === 'number' &&
  typeof (value as AgentCursor).id === 'string';

export type AgentRegistry = ReturnType<typeof createAgentRegistry>;

/**
 * Registered agents per dealership, a set per capability (capability search reads one set,
 * never every agent), each agent's load set, and its status derived from the gateway registry
 * (createUserPresence) and its accepted tasks; nothing an agent reports about itself.
 */
export function createAgentRegistry(options: {
  redis: RedisClient;
  keyspace: Keyspace;
  presence: UserPresence;
}) {
  const { redis, presence } = options;
  const ks = options.keyspace.tasks;

  async function register(input: RegisterInput): Promise<{ agent: AgentRecord; created: boolean }> {
    const now = input.now ?? Date.now();
    const d = input.dealershipId;
    const key = ks.agent(d, input.agentId);
    const previous = parseAgent(await redis.hgetall(key));
    const agent: AgentRecord = {
      agentId: input.agentId,
      dealershipId: d,
      capabilities: [...new Set(input.capabilities)].sort(),
      maxConcurrent: input.maxConcurrent,
      labels: input.labels,
      registeredAt: previous?.registeredAt ?? now,
      updatedAt: now,
    };
    const multi = redis.multi().hset(key, {
      agentId: agent.agentId,
      dealershipId: d,
      capabilities: JSON.stringify(agent.capabilities),
      maxConcurrent: String(agent.maxConcurrent),
      labels: JSON.stringify(agent.labels),
      registeredAt: String(agent.registeredAt),
      updatedAt: String(now),
    });
    for (const capability of previous?.capabilities ?? [])
      if (!agent.capabilities.includes(capability))
        multi.srem(ks.agentsByCapability(d, capability), agent.agentId);
    for (const capability of agent.capabilities)
      multi.sadd(ks.agentsByCapability(d, capability), agent.agentId);
    multi.zadd(ks.agents(d), agent.registeredAt, agent.agentId);
    multi.zadd(ks.agentIdleSince(d), 'NX', now, agent.agentId);
    await multi.exec();
    return { agent, created: !previous };
  }

  async function get(dealershipId: string, agentId: string): Promise<AgentRecord | undefined> {
    return parseAgent(await redis.hgetall(ks.agent(dealershipId, agentId)));
  }

  /** Records, loads, presence and idle times of these agents, in one round trip each. */
  async function states(dealershipId: string, agentIds: string[]): Promise<AgentState[]> {
    if (agentIds.length === 0) return [];
    const batch = commandBatch(redis);
    for (const id of agentIds)
      batch
        .hgetall(ks.agent(dealershipId, id))
        .scard(ks.agentLoad(dealershipId, id))
        .scard(ks.agentAccepted(dealershipId, id))
        .zscore(ks.agentIdleSince(dealershipId), id);
    const [replies, online] = await Promise.all([
      batch.exec(),
      presence.onlineOf(dealershipId, agentIds),
    ]);
    const result: AgentState[] = [];
    agentIds.forEach((id, index) => {
      const at = (offset: number) => replies?.[index * 4 + offset]?.[1];
      const record = parseAgent((at(0) ?? {}) as Record<string, string>);
      if (!record) return;
      const activeTasks = Number(at(2) ?? 0);
      result.push({
        ...record,
        load: Number(at(1) ?? 0),
        activeTasks,
        online: online.has(id),
        idleSince: Number(at(3) ?? record.registeredAt),
        status: statusOf(online.has(id), activeTasks, record.maxConcurrent),
      });
    });
    return result;
  }

  async function state(dealershipId: string, agentId: string): Promise<AgentState | undefined> {
    return (await states(dealershipId, [agentId]))[0];
  }

  async function withCapability(dealershipId: string, capability: string): Promise<string[]> {
    return redis.smembers(ks.agentsByCapability(dealershipId, capability));
  }

  async function list(query: {
    dealershipId: string;
    capability?: string | undefined;
    status?: AgentStatus | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<{ items: AgentState[]; nextCursor: string | null }> {
    const d = query.dealershipId;
    const cursor = decodeCursor(query.cursor, isAgentCursor);
    // Capability sets are unordered: the page order is the registration order of the index.
    const ids = query.capability ? new Set(await withCapability(d, query.capability)) : undefined;
    const items: AgentState[] = [];
    let max = cursor ? String(cursor.s) : '+inf';
    let offset = 0;
    let last: AgentCursor | undefined;
    for (let round = 0; round < 20 && items.length < query.limit; round += 1) {
      const raw = await redis.zrevrangebyscore(
        ks.agents(d),
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        offset,
        100,
      );
      if (raw.length === 0) return { items, nextCursor: null };
      const pairs: AgentCursor[] = [];
      for (let i = 0; i < raw.length; i += 2) pairs.push({ id: raw[i]!, s: Number(raw[i + 1]) });
      const fresh = pairs.filter(
        (p) => !(cursor && p.s === cursor.s && p.id >= cursor.id) && (!ids || ids.has(p.id)),
      );
      const found = await states(
        d,
        fresh.map((p) => p.id),
      );
      const byId = new Map(found.map((agent) => [agent.agentId, agent]));
      for (const pair of fresh) {
        if (items.length === query.limit) break;
        last = pair;
        const agent = byId.get(pair.id);
        if (!agent || (query.status && agent.status !== query.status)) continue;
        items.push(agent);
      }
      if (items.length === query.limit) break;
      if (pairs.length < 100) return { items, nextCursor: null };
      const lastScore = pairs.at(-1)!.s;
      if (String(lastScore) === max) offset += pairs.length;
      else {
        max = String(lastScore);
        offset = pairs.filter((p) => p.s === lastScore).length;
      }
    }
    return { items, nextCursor: last ? encodeCursor(last) : null };
  }

  /** Takes one unit of the agent's capacity for the task, or says it has none left. */
  async function reserve(dealershipId: string, agentId: string, taskId: string) {
    return reserveScript(
      redis,
      [ks.agent(dealershipId, agentId), ks.agentLoad(dealershipId, agentId)],
      [taskId],
    );
  }

  async function release(dealershipId: string, agentId: string, taskId: string): Promise<void> {
    await redis.srem(ks.agentLoad(dealershipId, agentId), taskId);
  }

  async function loadOf(dealershipId: string, agentId: string): Promise<string[]> {
    return redis.smembers(ks.agentLoad(dealershipId, agentId));
  }

  return { register, get, state, states, withCapability, list, reserve, release, loadOf };
}

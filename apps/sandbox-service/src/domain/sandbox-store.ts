import { randomUUID } from 'node:crypto';
import type { Keyspace } from '@switchboard/keyspace';
import { type RedisClient, commandBatch, defineScript } from '@switchboard/redis';
import type { AutoPauseSettings } from './auto-pause-policy.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type IndexPosition, descendingIndex, isIndexPosition } from './score-index.js';
import type { SandboxOutboxEntry } from './sandbox-outbox-entry.js';
import {
  SANDBOX_STATES,
  type SandboxAction,
  type SandboxState,
  allowedFrom,
  isSandboxState,
  targetOf,
} from './sandbox-state.js';
import { optionalNumber } from './hash-fields.js';

// apps/sandbox-service/lua, beside src/ and dist/ alike, so no build step copies it.
const transitionScript = defineScript<[string, string?, string?, string[]?]>(
  new URL('../../lua/transition-3.lua', import.meta.url),
);

const touchScript = defineScript<number>(new URL('../../lua/touch-1.lua', import.meta.url));

const countTransitionScript = defineScript<number>(
  new URL('../../lua/count-transition-1.lua', import.meta.url),
);

const readTouchScript = defineScript<[number, string[]]>(
  new URL('../../lua/read-touch-1.lua', import.meta.url),
);

export type HistorySource =
  'api' | 'bulk' | 'auto:idle' | 'auto:max-execution' | 'auto:memory' | 'worker';

export interface SandboxSettings {
  autoPause: AutoPauseSettings;
  /** Asks for network access; the worker grants it only with SANDBOX_NETWORK. */
  network?: boolean | undefined;
}

export interface SandboxRecord {
  id: string;
  dealershipId: string;
  name: string | null;
  metadata: Record<string, unknown>;
  settings: SandboxSettings;
  state: SandboxState;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  stateChangedAt: number;
  lastActivityAt: number;
  pausedAt?: number | undefined;
  pauseReason?: string | undefined;
  pausedBy?: string | undefined;
  pauseSource?: string | undefined;
  pausedMsTotal: number;
  error?: string | undefined;
}

export interface HistoryEntry {
  seq: number;
  action: SandboxAction | 'create';
  from: SandboxState | null;
  to: SandboxState;
  actor: string;
  source: HistorySource;
  reason: string | null;
  at: number;
}

export type TransitionOutcome =
  /** `sandbox` is the record as this transition left it. */
  | {
      kind: 'ok';
      from: SandboxState;
      to: SandboxState;
      entry: HistoryEntry;
      sandbox: SandboxRecord;
    }
  | { kind: 'missing' }
  | { kind: 'denied'; from: SandboxState; to: SandboxState }
  /** The sandbox changed after the read the transition was decided on (see `onlyIf`). */
  | { kind: 'stale'; from: SandboxState; to: SandboxState };

export interface TransitionInput {
  id: string;
  action: SandboxAction;
  actor: string;
  source: HistorySource;
  reason?: string | undefined;
  now?: number;
  /** Apply only if the sandbox is still as a decision read it: no transition, no activity since. */
  onlyIf?: { stateChangedAt: number; lastActivityAtMost?: number | undefined } | undefined;
}

/** A new sandbox's id: chosen before the commit, so its outbox can be marked first. */
export const newSandboxId = () => `sbx_${randomUUID().replaceAll('-', '')}`;

export interface CreateInput {
  /** Chosen beforehand when something (a quota) must know it first; default: a new one. */
  id?: string | undefined;
  dealershipId: string;
  actor: string;
  name?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  settings?: SandboxSettings | undefined;
  now?: number;
}

export interface ListQuery {
  dealershipId?: string | undefined;
  state?: SandboxState | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
  /** A page also ends (with a cursor) once its records add up to about this many bytes; at least one record per page. */
  maxBytes?: number | undefined;
}

/** Hashes read per round trip while listing: at first, and at most. */
const LIST_FIRST_SLICE = 10;
const LIST_READ_SLICE = 50;
const isHistoryCursor = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0;

/** HGETALL as a Lua script returns it: field, value, field, value, ... */
function pairsOf(flat: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}

function parseSandbox(hash: Record<string, string>): SandboxRecord | undefined {
  if (!hash['id'] || !isSandboxState(hash['state'])) return undefined;
  return {
    id: hash['id'],
    dealershipId: hash['dealershipId'] ?? '',
    name: hash['name'] ? hash['name'] : null,
    metadata: JSON.parse(hash['metadata'] ?? '{}') as Record<string, unknown>,
    settings: JSON.parse(hash['settings'] ?? '{"autoPause":{}}') as SandboxSettings,
    state: hash['state'],
    createdBy: hash['createdBy'] ?? '',
    createdAt: Number(hash['createdAt']),
    updatedAt: Number(hash['updatedAt']),
    stateChangedAt: Number(hash['stateChangedAt']),
    lastActivityAt: Number(hash['lastActivityAt']),
    pausedAt: optionalNumber(hash['pausedAt']),
    pauseReason: hash['pauseReason'],
    pausedBy: hash['pausedBy'],
    pauseSource: hash['pauseSource'],
    pausedMsTotal: Number(hash['pausedMsTotal'] ?? 0),
    error: hash['error'],
  };
}

export type SandboxStore = ReturnType<typeof createSandboxStore>;

/** About what a stored sandbox weighs once sent: the length of its fields (metadata dominates). */
const approximateBytes = (hash: Record<string, string>): number =>
  Object.values(hash).reduce((total, value) => total + value.length, 0);

/**
 * Sandboxes in Redis: one hash per sandbox, a capped history list beside it (same hash tag, so
 * the transition script touches one slot), and sorted-set indexes by creation time for listing.
 * Nothing is cached in memory: every API instance and worker reads the same truth.
 */
export function createSandboxStore(options: {
  redis: RedisClient;
  keyspace: Keyspace;
  historyMax: number;
}) {
  const { keyspace: ks, redis } = options;

  async function get(id: string): Promise<SandboxRecord | undefined> {
    if (id.length === 0 || id.length > 128) return undefined;
    return parseSandbox(await redis.hgetall(ks.sandbox.metadata(id)));
  }

  /**
   * The sandbox, with activity recorded now when it is `dealershipId`'s and not terminated (one
   * round trip). `touched` says whether the returned record carries that activity.
   */
  async function getAndTouch(
    id: string,
    dealershipId: string,
    now = Date.now(),
  ): Promise<{ sandbox: SandboxRecord | undefined; touched: boolean }> {
    if (id.length === 0 || id.length > 128) return { sandbox: undefined, touched: false };
    const [touched, fields] = await readTouchScript(
      redis,
      [ks.sandbox.metadata(id)],
      [String(now), dealershipId],
    );
    return {
      sandbox: parseSandbox(Object.fromEntries(pairsOf(fields))),
      touched: touched === 1,
    };
  }

  async function create(input: CreateInput): Promise<SandboxRecord> {
    const id = input.id ?? newSandboxId();
    const now = input.now ?? Date.now();
    const fields: Record<string, string> = {
      id,
      dealershipId: input.dealershipId,
      name: input.name ?? '',
      metadata: JSON.stringify(input.metadata ?? {}),
      settings: JSON.stringify(input.settings ?? { autoPause: {} }),
      state: 'active',
      createdBy: input.actor,
      createdAt: String(now),
      updatedAt: String(now),
      stateChangedAt: String(now),
      lastActivityAt: String(now),
      pausedMsTotal: '0',
      historySeq: '1',
    };
    const entry: HistoryEntry = {
      seq: 1,
      action: 'create',
      from: null,
      to: 'active',
      actor: input.actor,
      source: 'api',
      reason: null,
      at: now,
    };
    const created = parseSandbox(fields)!;
    const event: SandboxOutboxEntry = { kind: 'created', sandbox: created };
    // metadata, history and outbox share a hash tag, so this MULTI is valid on Redis Cluster too.
    await redis
      .multi()
      .hset(ks.sandbox.metadata(id), fields)
      .lpush(ks.sandbox.history(id), JSON.stringify(entry))
      .xadd(ks.sandbox.outbox(id), '*', 'm', JSON.stringify(event))
      .exec();
    await Promise.all([
      redis.zadd(ks.sandbox.indexAll(), now, id),
      redis.zadd(ks.sandbox.indexByDealership(input.dealershipId), now, id),
      redis.hincrby(ks.sandbox.stateCounts(), 'active', 1),
    ]);
    return created;
  }

  async function transition(input: TransitionInput): Promise<TransitionOutcome> {
    const to = targetOf(input.action);
    const [kind, from, entryJson, fields] = await transitionScript(
      redis,
      [ks.sandbox.metadata(input.id), ks.sandbox.history(input.id), ks.sandbox.outbox(input.id)],
      [
        input.action,
        to,
        allowedFrom(input.action).join(','),
        String(input.now ?? Date.now()),
        input.actor,
        input.source,
        input.reason ?? '',
        String(options.historyMax),
        input.onlyIf ? String(input.onlyIf.stateChangedAt) : '',
        input.onlyIf?.lastActivityAtMost !== undefined
          ? String(input.onlyIf.lastActivityAtMost)
          : '',
      ],
    );
    if (kind === 'missing') return { kind: 'missing' };
    if (kind === 'denied') return { kind: 'denied', from: from as SandboxState, to };
    if (kind === 'stale') return { kind: 'stale', from: from as SandboxState, to };
    // The gauge's counters live outside the sandbox's slot; they may drift only if this process
    // dies right here. Not awaited: the transition has committed whatever they do, and commands
    // of one connection run in order, so anything this process reads afterwards sees them.
    void countTransitionScript(redis, [ks.sandbox.stateCounts()], [from as string, to]).catch(
      () => undefined,
    );
    const sandbox = parseSandbox(Object.fromEntries(pairsOf(fields ?? [])))!;
    return {
      kind: 'ok',
      from: from as SandboxState,
      to,
      entry: JSON.parse(entryJson as string) as HistoryEntry,
      sandbox,
    };
  }

  /** Records activity (see auto-pause-policy.ts); only on existing sandboxes. */
  /** Marks activity now; false when the sandbox no longer exists. */
  async function touch(id: string, now = Date.now()): Promise<boolean> {
    return (await touchScript(redis, [ks.sandbox.metadata(id)], [String(now)])) === 1;
  }

  async function updateSettings(
    id: string,
    settings: SandboxSettings,
    now = Date.now(),
  ): Promise<void> {
    await redis.hset(
      ks.sandbox.metadata(id),
      'settings',
      JSON.stringify(settings),
      'updatedAt',
      String(now),
      'lastActivityAt',
      String(now),
    );
  }

  async function history(
    id: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<{ entries: HistoryEntry[]; nextCursor: string | null }> {
    const before = decodeCursor(query.cursor, isHistoryCursor);
    const latest = Number((await redis.hget(ks.sandbox.metadata(id), 'historySeq')) ?? 0);
    // The entry with sequence k sits at index latest - k (newest first, only the tail is trimmed);
    // entries pushed meanwhile only move older ones further back, hence the slack and the filter.
    const start = before === undefined ? 0 : Math.max(0, latest - (before - 1));
    const raw = await redis.lrange(ks.sandbox.history(id), start, start + query.limit + 63);
    const entries = raw
      .map((line) => JSON.parse(line) as HistoryEntry)
      .filter((entry) => before === undefined || entry.seq < before)
      .slice(0, query.limit);
    const last = entries.at(-1);
    const nextCursor =
      entries.length === query.limit && last && last.seq > 1 ? encodeCursor(last.seq) : null;
    return { entries, nextCursor };
  }

  async function list(
    query: ListQuery,
  ): Promise<{ items: SandboxRecord[]; nextCursor: string | null }> {
    const key = query.dealershipId
      ? ks.sandbox.indexByDealership(query.dealershipId)
      : ks.sandbox.indexAll();
    const cursor = decodeCursor(query.cursor, isIndexPosition);
    const needle = query.q?.toLowerCase();
    const maxScanned = 5_000;
    const maxBytes = query.maxBytes ?? Number.POSITIVE_INFINITY;
    const items: SandboxRecord[] = [];
    let bytes = 0;
    let full = false;
    let scanned = 0;
    let stoppedEarly = false;
    let lastSeen: IndexPosition | undefined;
    for await (const fresh of descendingIndex(redis, key, cursor, 200)) {
      if (scanned >= maxScanned) {
        stoppedEarly = true;
        break;
      }
      // Hashes are read a slice at a time, each sized by what the page's byte budget still holds
      // at the records' average size so far, so a page of large records stops before it reads them all.
      for (let start = 0, take = LIST_FIRST_SLICE; start < fresh.length && !full; start += take) {
        if (items.length > 0)
          take = Math.max(
            1,
            Math.min(LIST_READ_SLICE, Math.ceil((maxBytes - bytes) / (bytes / items.length))),
          );
        const slice = fresh.slice(start, start + take);
        const pipeline = commandBatch(redis);
        for (const position of slice) pipeline.hgetall(ks.sandbox.metadata(position.id));
        const hashes = (await pipeline.exec()) ?? [];
        for (const [index, position] of slice.entries()) {
          scanned += 1;
          lastSeen = position;
          const hash = (hashes[index]?.[1] ?? {}) as Record<string, string>;
          const record = parseSandbox(hash);
          if (!record) continue;
          if (query.state && record.state !== query.state) continue;
          if (
            needle &&
            !record.id.toLowerCase().includes(needle) &&
            !(record.name ?? '').toLowerCase().includes(needle)
          )
            continue;
          const size = approximateBytes(hash);
          if (items.length > 0 && bytes + size > maxBytes) {
            full = true;
            break;
          }
          items.push(record);
          bytes += size;
          if (items.length === query.limit) {
            full = true;
            break;
          }
        }
      }
      if (full) break;
    }
    if (!full && !stoppedEarly) return { items, nextCursor: null };
    const last = full ? items.at(-1) : undefined;
    const next = last ? { s: last.createdAt, id: last.id } : lastSeen;
    return { items, nextCursor: next ? encodeCursor(next) : null };
  }

  async function stateCounts(): Promise<Record<SandboxState, number>> {
    const raw = await redis.hgetall(ks.sandbox.stateCounts());
    return Object.fromEntries(
      SANDBOX_STATES.map((state) => [state, Math.max(0, Number(raw[state] ?? 0))]),
    ) as Record<SandboxState, number>;
  }

  return {
    get,
    getAndTouch,
    create,
    transition,
    touch,
    updateSettings,
    history,
    list,
    stateCounts,
  };
}

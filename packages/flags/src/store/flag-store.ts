import { defineScript } from '@switchboard/redis';
import type { Keyspace } from '@switchboard/keyspace';
import type { Cluster, Redis } from 'ioredis';
import { validateFlag } from '../engine/validate-flag.js';
import type { Flag } from '../model/flag-schema.js';
import { type FlagBody, bodyOf } from '../model/normalize.js';
import { FlagStoreError } from './flag-store-error.js';
import { type DiffEntry, jsonDiff } from './json-diff.js';

// packages/flags/lua, beside src/ and dist/ alike, so no build step copies it.
const writeFlag = defineScript<[string, number]>(
  new URL('../../lua/write-flag-7.lua', import.meta.url),
);

export type FlagAction = 'create' | 'update' | 'toggle' | 'archive' | 'unarchive' | 'rollback';

export interface Actor {
  /** The caller's `sub`, or `system:<service>` for writes a service makes itself. */
  id: string;
  dealershipId?: string;
}

export interface FlagVersion {
  version: number;
  flag: Flag;
  action: FlagAction;
  actor: string;
  at: string;
  reason?: string;
  /** For rollbacks: the version restored. */
  restoredVersion?: number;
}

export interface AuditEntry {
  id: string;
  key: string;
  version: number;
  action: FlagAction;
  actor: string;
  dealershipId?: string;
  at: string;
  reason?: string;
  diff: DiffEntry[];
}

/** What one flag write puts in the flag outbox, for whoever announces flag changes as events. */
export interface FlagOutboxEntry {
  kind: 'flag';
  action: FlagAction;
  key: string;
  version: number;
  actor: string;
  dealershipId?: string;
  at: string;
  enabled: boolean;
  archived: boolean;
  reason?: string;
  restoredVersion?: number;
}

export interface WriteResult {
  flag: Flag;
  previous: Flag | undefined;
  action: FlagAction;
  /** For rollbacks: the version restored. */
  restoredVersion?: number;
}

export interface FlagStoreOptions {
  keyspace: Keyspace;
  /** Approximate cap of each audit stream. Default 100 000. */
  auditMaxLength?: number;
}

export interface WriteInput {
  key: string;
  action: FlagAction;
  actor: Actor;
  reason?: string;
  /** Refuse unless the current version is this (0: must not exist). Default: whatever was read. */
  expectedVersion?: number;
  /** The new definition and archived state, from the current flag (undefined when creating). */
  next: (current: Flag | undefined) => {
    body: FlagBody;
    archived: boolean;
    restoredVersion?: number;
  };
}

/**
 * Flags in Redis: the current definition, every version, and the audit log, written together by
 * one Lua script that also PUBLISHes the change. Writes are optimistic: a write names the
 * version it was computed from and fails if another write got there first.
 */
export function createFlagStore(redis: Redis | Cluster, options: FlagStoreOptions) {
  const ks = options.keyspace.flags;
  const auditMaxLength = String(options.auditMaxLength ?? 100_000);

  async function get(key: string): Promise<Flag | undefined> {
    const raw = await redis.get(ks.flag(key));
    return raw ? (JSON.parse(raw) as Flag) : undefined;
  }

  async function getAll(): Promise<Flag[]> {
    const keys = await redis.smembers(ks.index());
    if (keys.length === 0) return [];
    // One GET per key in a pipeline rather than MGET, so keys may live in any Cluster slot.
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.get(ks.flag(key));
    const replies = (await pipeline.exec()) ?? [];
    const flags: Flag[] = [];
    for (const [error, raw] of replies) {
      if (error) throw error;
      if (typeof raw === 'string') flags.push(JSON.parse(raw) as Flag);
    }
    return flags.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** One attempt: read, compute, write if nobody wrote in between. */
  async function attempt(input: WriteInput): Promise<WriteResult | 'retry'> {
    const current = await get(input.key);
    const currentVersion = current?.version ?? 0;
    if (input.action !== 'create' && !current)
      throw new FlagStoreError('not_found', `flag ${input.key} not found`, { key: input.key });
    if (input.action === 'create' && current)
      throw new FlagStoreError('exists', `flag ${input.key} already exists`, {
        key: input.key,
        currentVersion,
      });
    if (input.expectedVersion !== undefined && input.expectedVersion !== currentVersion) {
      throw conflict(input, currentVersion);
    }

    const { body, archived, restoredVersion } = input.next(current);
    const issues = validateFlag(body);
    if (issues.length > 0)
      throw new FlagStoreError('invalid', 'the flag definition is invalid', {
        key: input.key,
        issues,
      });

    const at = new Date().toISOString();
    const { version: _version, ...flagWithoutVersion } = {
      key: input.key,
      version: 0,
      ...body,
      archived,
      createdAt: current?.createdAt ?? at,
      updatedAt: at,
      updatedBy: input.actor.id,
    } satisfies Flag;
    const meta = {
      action: input.action,
      actor: input.actor.id,
      at,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(restoredVersion ? { restoredVersion } : {}),
    };
    const before = current ? { ...bodyOf(current), archived: current.archived } : undefined;
    const audit = {
      action: input.action,
      actor: input.actor.id,
      ...(input.actor.dealershipId ? { dealershipId: input.actor.dealershipId } : {}),
      at,
      ...(input.reason ? { reason: input.reason } : {}),
      diff: jsonDiff(before ?? {}, { ...body, archived }),
    };
    const event: Omit<FlagOutboxEntry, 'version'> = {
      kind: 'flag',
      action: input.action,
      key: input.key,
      actor: input.actor.id,
      ...(input.actor.dealershipId ? { dealershipId: input.actor.dealershipId } : {}),
      at,
      enabled: body.enabled,
      archived,
      ...(input.reason ? { reason: input.reason } : {}),
      ...(restoredVersion ? { restoredVersion } : {}),
    };
    const [status, version] = await writeFlag(
      redis,
      [
        ks.flag(input.key),
        ks.index(),
        ks.versions(input.key),
        ks.audit(),
        ks.flagAudit(input.key),
        ks.outbox(),
        ks.outboxPending(),
      ],
      [
        String(currentVersion),
        JSON.stringify(flagWithoutVersion),
        JSON.stringify(meta),
        JSON.stringify(audit),
        ks.changesChannel(),
        auditMaxLength,
        String(Date.now()),
        input.key,
        JSON.stringify(event),
      ],
    );
    if (status === 'conflict') {
      if (input.expectedVersion !== undefined || input.action === 'create') {
        throw input.action === 'create' && Number(version) > 0
          ? new FlagStoreError('exists', `flag ${input.key} already exists`, {
              key: input.key,
              currentVersion: Number(version),
            })
          : conflict(input, Number(version));
      }
      return 'retry';
    }
    return {
      flag: { ...flagWithoutVersion, version: Number(version) },
      previous: current,
      action: input.action,
      ...(restoredVersion ? { restoredVersion } : {}),
    };
  }

  async function write(input: WriteInput): Promise<WriteResult> {
    for (let tries = 0; tries < 10; tries += 1) {
      const outcome = await attempt(input);
      if (outcome !== 'retry') return outcome;
    }
    throw new FlagStoreError(
      'version_conflict',
      `flag ${input.key} is changing too fast; try again`,
      { key: input.key },
    );
  }

  async function versions(
    key: string,
    { offset = 0, limit = 50 }: { offset?: number; limit?: number } = {},
  ): Promise<{ items: FlagVersion[]; total: number }> {
    const [total, raw] = await Promise.all([
      redis.llen(ks.versions(key)),
      redis.lrange(ks.versions(key), offset, offset + limit - 1),
    ]);
    return { items: raw.map((entry) => JSON.parse(entry) as FlagVersion), total };
  }

  async function version(key: string, n: number): Promise<FlagVersion | undefined> {
    const raw = await redis.lindex(ks.versions(key), n - 1);
    return raw ? (JSON.parse(raw) as FlagVersion) : undefined;
  }

  /** Newest first; `cursor` is the id of the last entry of the previous page. */
  async function audit(
    key: string | undefined,
    { limit = 50, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: AuditEntry[]; nextCursor: string | undefined }> {
    const stream = key ? ks.flagAudit(key) : ks.audit();
    const end = cursor ? `(${cursor}` : '+';
    const raw = (await redis.xrevrange(stream, end, '-', 'COUNT', limit)) as Array<
      [string, string[]]
    >;
    const items = raw.map(([id, fields]) => ({
      id,
      ...(JSON.parse(fields[1] ?? '{}') as Omit<AuditEntry, 'id'>),
    }));
    return { items, nextCursor: items.length === limit ? items[items.length - 1]?.id : undefined };
  }

  return { get, getAll, write, versions, version, audit, keyspace: ks };
}

function conflict(input: WriteInput, currentVersion: number): FlagStoreError {
  return new FlagStoreError(
    'version_conflict',
    `flag ${input.key} is at version ${currentVersion}, not ${input.expectedVersion ?? 'the one read'}`,
    {
      key: input.key,
      ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
      currentVersion,
    },
  );
}

export type FlagStore = ReturnType<typeof createFlagStore>;

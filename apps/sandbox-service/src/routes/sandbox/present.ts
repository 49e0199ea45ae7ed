import type { Static } from '@sinclair/typebox';
import type { ExecutionRecord } from '../../domain/execution-store.js';
import type { HistoryEntry, SandboxRecord } from '../../domain/sandbox-store.js';
import type { ExecutionView } from '../../schemas/execution.js';
import type { HistoryEntryView, SandboxView } from '../../schemas/sandbox.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | undefined) => (ms === undefined ? null : iso(ms));

/** Redis records -> the public JSON (ISO times, explicit nulls). */
export function sandboxView(record: SandboxRecord): SandboxView {
  const autoPause = record.settings.autoPause ?? {};
  return {
    id: record.id,
    dealershipId: record.dealershipId,
    name: record.name,
    state: record.state,
    metadata: record.metadata,
    settings: {
      autoPause: {
        idleTimeoutSec: autoPause.idleTimeoutSec ?? null,
        maxExecutionTimeSec: autoPause.maxExecutionTimeSec ?? null,
        maxMemoryMb: autoPause.maxMemoryMb ?? null,
      },
      network: record.settings.network === true,
    },
    createdBy: record.createdBy,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    stateChangedAt: iso(record.stateChangedAt),
    lastActivityAt: iso(record.lastActivityAt),
    pausedAt: isoOrNull(record.pausedAt),
    pauseReason: record.pauseReason ?? null,
    pausedBy: record.pausedBy ?? null,
    pauseSource: record.pauseSource ?? null,
    error: record.error ?? null,
  };
}

export function historyView(entry: HistoryEntry): Static<typeof HistoryEntryView> {
  return {
    seq: entry.seq,
    action: entry.action,
    from: entry.from,
    to: entry.to,
    actor: entry.actor,
    source: entry.source,
    reason: entry.reason,
    timestamp: iso(entry.at),
  };
}

export function executionView(record: ExecutionRecord): Static<typeof ExecutionView> {
  return {
    executionId: record.id,
    sandboxId: record.sandboxId,
    tool: record.tool,
    state: record.state,
    input: record.input,
    output: record.output ?? null,
    error: record.error ?? null,
    timeoutMs: record.timeoutMs,
    attempts: record.attempts,
    createdBy: record.actor,
    createdAt: iso(record.createdAt),
    startedAt: isoOrNull(record.startedAt),
    finishedAt: isoOrNull(record.finishedAt),
    durationMs: record.durationMs ?? null,
    activeMs: record.activeMs ?? null,
  };
}

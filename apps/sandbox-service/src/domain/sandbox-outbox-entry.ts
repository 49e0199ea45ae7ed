import type { ExecutionRecord } from './execution-store.js';
import type { HistoryEntry, SandboxRecord } from './sandbox-store.js';

/** What a step of one execution announces, beside the execution it belongs to. */
export interface ExecutionStep {
  step: 'started' | 'completed' | 'failed';
  at: number;
  attempt?: number | undefined;
  durationMs?: number | undefined;
  activeMs?: number | undefined;
  output?: unknown;
  error?: string | undefined;
}

/**
 * One entry of a sandbox's outbox: written in the same atomic step as the change it announces
 * (sandbox-store create, transition-3.lua, execution-store), published by the outbox relay
 * through runtime/sandbox-events.ts.
 */
export type SandboxOutboxEntry =
  | { kind: 'created'; sandbox: SandboxRecord }
  | { kind: 'transition'; sandboxId: string; dealershipId: string; entry: HistoryEntry }
  | ({
      kind: 'execution';
      execution: Pick<ExecutionRecord, 'id' | 'sandboxId' | 'dealershipId' | 'tool'>;
    } & ExecutionStep);

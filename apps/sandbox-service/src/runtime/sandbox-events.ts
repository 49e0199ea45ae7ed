import type { EventData, EventType } from '@switchboard/events';
import { rooms } from '@switchboard/events';
import type { Publisher } from '@switchboard/publisher';
import type { ExecutionRecord } from '../domain/execution-store.js';
import type { SandboxRecord, TransitionOutcome } from '../domain/sandbox-store.js';
import type { SandboxAction } from '../domain/sandbox-state.js';

const iso = (ms: number) => new Date(ms).toISOString();

const TRANSITION_EVENTS: Record<SandboxAction, 'sandbox.paused' | 'sandbox.resumed' | 'sandbox.error' | 'sandbox.terminated'> = {
  pause: 'sandbox.paused',
  resume: 'sandbox.resumed',
  fail: 'sandbox.error',
  terminate: 'sandbox.terminated',
};

export type SandboxEvents = ReturnType<typeof createSandboxEvents>;

/** Publishes every sandbox state change and execution step to `sandbox:<id>` and `dealership:<id>`. */
export function createSandboxEvents(publisher: Publisher) {
  const emit = async <T extends EventType>(sandboxId: string, dealershipId: string, event: T, data: EventData<T>) => {
    await publisher.publishToRooms([rooms.sandbox(sandboxId), rooms.dealership(dealershipId)], { dealershipId, event, data });
  };

  return {
    created: (sandbox: SandboxRecord) =>
      emit(sandbox.id, sandbox.dealershipId, 'sandbox.created', {
        sandboxId: sandbox.id,
        dealershipId: sandbox.dealershipId,
        state: sandbox.state,
        actor: sandbox.createdBy,
        at: iso(sandbox.createdAt),
        ...(sandbox.name ? { name: sandbox.name } : {}),
      }),

    transitioned: (sandbox: Pick<SandboxRecord, 'id' | 'dealershipId'>, action: SandboxAction, outcome: Extract<TransitionOutcome, { kind: 'ok' }>) => {
      const { entry } = outcome;
      const base = { sandboxId: sandbox.id, dealershipId: sandbox.dealershipId, state: outcome.to, from: outcome.from, actor: entry.actor, source: entry.source, at: iso(entry.at) };
      const event = TRANSITION_EVENTS[action];
      if (event === 'sandbox.error') return emit(sandbox.id, sandbox.dealershipId, event, { ...base, error: entry.reason ?? 'error' });
      if (event === 'sandbox.paused') return emit(sandbox.id, sandbox.dealershipId, event, { ...base, ...(entry.reason ? { reason: entry.reason } : {}) });
      return emit(sandbox.id, sandbox.dealershipId, event, base);
    },

    execution: (step: 'started' | 'completed' | 'failed', execution: ExecutionRecord, extra: { durationMs?: number; activeMs?: number; output?: unknown; error?: string; attempt?: number } = {}) => {
      const base = { sandboxId: execution.sandboxId, dealershipId: execution.dealershipId, executionId: execution.id, tool: execution.tool, at: new Date().toISOString() };
      if (step === 'started') return emit(execution.sandboxId, execution.dealershipId, 'sandbox.execution.started', { ...base, ...(extra.attempt ? { attempt: extra.attempt } : {}) });
      if (step === 'completed') {
        return emit(execution.sandboxId, execution.dealershipId, 'sandbox.execution.completed', { ...base, durationMs: extra.durationMs ?? 0, activeMs: extra.activeMs ?? 0, output: extra.output });
      }
      return emit(execution.sandboxId, execution.dealershipId, 'sandbox.execution.failed', {
        ...base,
        error: extra.error ?? 'failed',
        ...(extra.durationMs !== undefined ? { durationMs: extra.durationMs } : {}),
        ...(extra.activeMs !== undefined ? { activeMs: extra.activeMs } : {}),
      });
    },
  };
}

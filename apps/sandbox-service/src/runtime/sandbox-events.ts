import { type EventData, type EventType, rooms } from '@switchboard/events';
import type { OutboxEvent } from '@switchboard/outbox';
import type { SandboxOutboxEntry } from '../domain/sandbox-outbox-entry.js';
import type { SandboxAction } from '../domain/sandbox-state.js';

const iso = (ms: number) => new Date(ms).toISOString();

const TRANSITION_EVENTS: Record<
  SandboxAction,
  'sandbox.paused' | 'sandbox.resumed' | 'sandbox.error' | 'sandbox.terminated'
> = {
  pause: 'sandbox.paused',
  resume: 'sandbox.resumed',
  fail: 'sandbox.error',
  terminate: 'sandbox.terminated',
};

const toRooms = <T extends EventType>(
  sandboxId: string,
  dealershipId: string,
  event: T,
  data: EventData<T>,
): OutboxEvent[] => [
  {
    rooms: [rooms.sandbox(sandboxId), rooms.dealership(dealershipId)],
    dealershipId,
    event,
    data,
  } as OutboxEvent,
];

/**
 * The events one sandbox outbox entry announces, to `sandbox:<id>` and `dealership:<id>`. The
 * outbox relay calls this for every entry, in the order the entries were committed.
 */
export function sandboxEventsOf(payload: unknown): OutboxEvent[] {
  const entry = payload as SandboxOutboxEntry;
  if (entry.kind === 'created') {
    const { sandbox } = entry;
    return toRooms(sandbox.id, sandbox.dealershipId, 'sandbox.created', {
      sandboxId: sandbox.id,
      dealershipId: sandbox.dealershipId,
      state: sandbox.state,
      actor: sandbox.createdBy,
      at: iso(sandbox.createdAt),
      ...(sandbox.name ? { name: sandbox.name } : {}),
    });
  }
  if (entry.kind === 'transition') {
    const { sandboxId, dealershipId, entry: history } = entry;
    const base = {
      sandboxId,
      dealershipId,
      state: history.to,
      from: history.from ?? undefined,
      actor: history.actor,
      source: history.source,
      at: iso(history.at),
    };
    const event = TRANSITION_EVENTS[history.action as SandboxAction];
    if (event === 'sandbox.error')
      return toRooms(sandboxId, dealershipId, event, { ...base, error: history.reason ?? 'error' });
    if (event === 'sandbox.paused')
      return toRooms(sandboxId, dealershipId, event, {
        ...base,
        ...(history.reason ? { reason: history.reason } : {}),
      });
    if (!event) throw new Error(`unknown sandbox action ${String(history.action)}`);
    return toRooms(sandboxId, dealershipId, event, base);
  }
  const { execution, step } = entry;
  const base = {
    sandboxId: execution.sandboxId,
    dealershipId: execution.dealershipId,
    executionId: execution.id,
    tool: execution.tool,
    at: iso(entry.at),
  };
  if (step === 'started')
    return toRooms(execution.sandboxId, execution.dealershipId, 'sandbox.execution.started', {
      ...base,
      ...(entry.attempt ? { attempt: entry.attempt } : {}),
    });
  if (step === 'completed') {
    return toRooms(execution.sandboxId, execution.dealershipId, 'sandbox.execution.completed', {
      ...base,
      durationMs: entry.durationMs ?? 0,
      activeMs: entry.activeMs ?? 0,
      output: entry.output,
    });
  }
  return toRooms(execution.sandboxId, execution.dealershipId, 'sandbox.execution.failed', {
    ...base,
    error: entry.error ?? 'failed',
    ...(entry.durationMs !== undefined ? { durationMs: entry.durationMs } : {}),
    ...(entry.activeMs !== undefined ? { activeMs: entry.activeMs } : {}),
  });
}

import { AppError, ErrorCode } from '@switchboard/errors';
import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import type { SandboxDriver } from '../drivers/sandbox-driver.js';
import {
  type CreateInput,
  type HistorySource,
  type SandboxRecord,
  type SandboxStore,
  type TransitionInput,
  type TransitionOutcome,
  newSandboxId,
} from '../domain/sandbox-store.js';
import type { SandboxAction } from '../domain/sandbox-state.js';
import type { ControlMessage } from '../schemas/control.js';
import { type SandboxQueues, scheduleAutoPause } from './queues.js';
import type { Outbox } from '@switchboard/outbox';

export interface ActInput {
  actor: string;
  source: HistorySource;
  reason?: string | undefined;
  onlyIf?: TransitionInput['onlyIf'];
}

const CONTROL: Partial<Record<SandboxAction, ControlMessage['type']>> = {
  pause: 'freeze',
  resume: 'thaw',
  terminate: 'kill',
  fail: 'kill',
};

/** The refusal a client sees for an outcome that is not ok. */
export function outcomeError(
  outcome: Exclude<TransitionOutcome, { kind: 'ok' }>,
  sandboxId: string,
): AppError {
  if (outcome.kind === 'missing')
    return new AppError(ErrorCode.RECORD_NOT_FOUND, 'Sandbox not found.', { id: sandboxId });
  const why =
    outcome.kind === 'stale'
      ? `The sandbox changed while becoming ${outcome.to} was decided.`
      : `A sandbox in state ${outcome.from} cannot become ${outcome.to}.`;
  return new AppError(ErrorCode.INVALID_STATE_TRANSITION, why, {
    sandboxId,
    from: outcome.from,
    to: outcome.to,
  });
}

export type SandboxOperations = ReturnType<typeof createSandboxOperations>;

/**
 * A state change and everything that follows from it: the atomic transition, its event, the
 * control message that makes workers freeze/thaw/kill, and cleanup on terminate. Routes, bulk
 * and auto-pause all come through here, so they cannot diverge.
 */
export function createSandboxOperations(deps: {
  redis: RedisClient;
  keyspace: Keyspace;
  store: SandboxStore;
  events: Outbox;
  queues: SandboxQueues;
  driver: SandboxDriver;
  autoPauseEveryMs: number;
  /** Counts a freeze/thaw the driver could not confirm (the sandbox then moves to error). */
  onDriverFailure?: (operation: 'freeze' | 'thaw') => void;
}) {
  const control = async (message: ControlMessage) => {
    await deps.redis.publish(deps.keyspace.sandbox.controlChannel(), JSON.stringify(message));
  };

  async function act(
    sandbox: Pick<SandboxRecord, 'id' | 'dealershipId'>,
    action: SandboxAction,
    input: ActInput,
  ): Promise<TransitionOutcome> {
    // Marked before the commit: if this process dies right after it, a sweeper publishes the event.
    await deps.events.markPending(sandbox.id);
    const outcome = await deps.store.transition({ id: sandbox.id, action, ...input });
    if (outcome.kind !== 'ok') return outcome;
    const confirmed = await confirmLocally(sandbox, action, input, outcome);
    if (confirmed) return confirmed;
    const verb = CONTROL[action];
    if (action === 'terminate') {
      if (verb) await control({ type: verb, sandboxId: sandbox.id });
      await scheduleAutoPause(deps.queues, sandbox.id, deps.autoPauseEveryMs, false);
      await deps.driver.destroy(sandbox.id);
      await deps.events.relay(sandbox.id);
      return outcome;
    }
    // The control message and the event go out together (one round trip, not two in a row):
    // workers act on the message whenever it lands, and the event's order is the outbox's.
    // The event was committed with the transition; a failure to publish it now is retried by the sweeper.
    await Promise.all([
      verb ? control({ type: verb, sandboxId: sandbox.id }) : undefined,
      deps.events.relay(sandbox.id),
    ]);
    return outcome;
  }

  /**
   * With cgroups, freezing is one write to a host-wide cgroup that any process on the host can
   * make and confirm: pause answers only once the kernel reports FROZEN (resume once thawed), and
   * a freeze or thaw that fails moves the sandbox to error instead. Calls for one sandbox run one
   * after another, each applies the state the sandbox has *now* (a later transition supersedes an
   * earlier one's confirmation), and the failure lands only if no transition came in between.
   * The control message still goes out, for workers on other hosts and for the process driver.
   */
  async function confirmLocally(
    sandbox: Pick<SandboxRecord, 'id' | 'dealershipId'>,
    action: SandboxAction,
    input: ActInput,
    outcome: Extract<TransitionOutcome, { kind: 'ok' }>,
  ): Promise<TransitionOutcome | undefined> {
    if (deps.driver.isolation !== 'isolated' || (action !== 'pause' && action !== 'resume'))
      return undefined;
    return serially(sandbox.id, async () => {
      const current = await deps.store.get(sandbox.id);
      if (
        current?.state !== outcome.to ||
        current.stateChangedAt !== outcome.sandbox.stateChangedAt
      )
        return undefined;
      const operation = action === 'pause' ? 'freeze' : 'thaw';
      try {
        if (action === 'pause') await deps.driver.pause(sandbox.id);
        else await deps.driver.resume(sandbox.id);
        return undefined;
      } catch (error) {
        deps.onDriverFailure?.(operation);
        await deps.events.relay(sandbox.id);
        const failed = await act(sandbox, 'fail', {
          actor: input.actor,
          source: input.source,
          reason: `${operation} failed: ${(error as Error).message}`.slice(0, 500),
          onlyIf: { stateChangedAt: outcome.sandbox.stateChangedAt },
        });
        return failed.kind === 'ok' ? failed : undefined;
      }
    });
  }

  const chains = new Map<string, Promise<unknown>>();
  function serially<T>(sandboxId: string, work: () => Promise<T>): Promise<T> {
    const previous = chains.get(sandboxId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    chains.set(sandboxId, settled);
    void settled.then(() => {
      if (chains.get(sandboxId) === settled) chains.delete(sandboxId);
    });
    return next;
  }

  /** Creates a sandbox record and publishes its `sandbox.created` event, committed with it. */
  async function create(input: CreateInput): Promise<SandboxRecord> {
    const id = input.id ?? newSandboxId();
    await deps.events.markPending(id);
    const created = await deps.store.create({ ...input, id });
    await deps.events.relay(id);
    return created;
  }

  return { act, create, control };
}

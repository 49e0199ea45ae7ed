import { type Static, Type } from '@sinclair/typebox';
import { TraceContext } from '@switchboard/events';

/**
 * API -> worker messages on the keyspace control channel. Workers do not trust the message's
 * verb alone: they re-read the sandbox state, so out-of-order delivery still converges.
 */
export const ControlMessage = Type.Union([
  Type.Object({ type: Type.Literal('freeze'), sandboxId: Type.String({ minLength: 1 }) }),
  Type.Object({ type: Type.Literal('thaw'), sandboxId: Type.String({ minLength: 1 }) }),
  Type.Object({ type: Type.Literal('kill'), sandboxId: Type.String({ minLength: 1 }) }),
]);
export type ControlMessage = Static<typeof ControlMessage>;

export const ExecutionJobData = Type.Object({
  executionId: Type.String(),
  sandboxId: Type.String(),
  trace: Type.Optional(TraceContext),
});
export type ExecutionJobData = Static<typeof ExecutionJobData>;

export const AutoPauseJobData = Type.Object({ sandboxId: Type.String() });
export type AutoPauseJobData = Static<typeof AutoPauseJobData>;

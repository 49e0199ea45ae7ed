import { Type } from '@sinclair/typebox';

// A plain string (not a union of literals) so producers built before a new state existed still type-check.
const SandboxState = Type.String({ description: 'active | paused | error | terminated' });
const Source = Type.String({
  description: 'api | bulk | auto:idle | auto:max-execution | auto:memory | worker',
});
const Base = {
  sandboxId: Type.String({ minLength: 1 }),
  dealershipId: Type.String({ minLength: 1 }),
  state: SandboxState,
  actor: Type.Optional(Type.String()),
  at: Type.String({ description: 'ISO 8601 time' }),
};
const Transition = { ...Base, from: Type.Optional(SandboxState), source: Source };
const Execution = {
  sandboxId: Type.String({ minLength: 1 }),
  dealershipId: Type.String({ minLength: 1 }),
  executionId: Type.String({ minLength: 1 }),
  tool: Type.String(),
  at: Type.String({ description: 'ISO 8601 time' }),
};

export const sandboxEvents = {
  'sandbox.created': Type.Object({ ...Base, name: Type.Optional(Type.String()) }),
  'sandbox.paused': Type.Object({ ...Transition, reason: Type.Optional(Type.String()) }),
  'sandbox.resumed': Type.Object({ ...Transition }),
  'sandbox.error': Type.Object({ ...Transition, error: Type.String() }),
  'sandbox.terminated': Type.Object({ ...Transition }),
  'sandbox.execution.started': Type.Object({
    ...Execution,
    attempt: Type.Optional(Type.Integer()),
  }),
  'sandbox.execution.completed': Type.Object({
    ...Execution,
    durationMs: Type.Number(),
    activeMs: Type.Optional(Type.Number()),
    output: Type.Optional(Type.Unknown()),
  }),
  'sandbox.execution.failed': Type.Object({
    ...Execution,
    durationMs: Type.Optional(Type.Number()),
    activeMs: Type.Optional(Type.Number()),
    error: Type.String(),
  }),
} as const;

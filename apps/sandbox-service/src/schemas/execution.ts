import { Type } from '@sinclair/typebox';

export const ExecuteBody = Type.Object(
  {
    tool: Type.String({ minLength: 1, maxLength: 64 }),
    input: Type.Unknown({ description: "checked against the tool's own schema" }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
  },
  { additionalProperties: false },
);

export const ExecuteQuery = Type.Object(
  { wait: Type.Optional(Type.Number({ minimum: 0, maximum: 60 })) },
  { additionalProperties: false },
);

export const ExecutionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' }),
  executionId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' }),
});

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const ExecutionView = Type.Object({
  executionId: Type.String(),
  sandboxId: Type.String(),
  tool: Type.String(),
  state: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
  ]),
  input: Type.Unknown(),
  output: Type.Unknown(),
  error: Type.Union([Type.String(), Type.Null()]),
  timeoutMs: Type.Integer(),
  attempts: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  durationMs: Type.Union([Type.Number(), Type.Null()]),
  activeMs: Type.Union([Type.Number(), Type.Null()]),
});

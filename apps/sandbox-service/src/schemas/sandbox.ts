import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { SANDBOX_STATES } from '../domain/sandbox-state.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoTime = Type.String({ format: 'date-time' });

const SandboxStateSchema = Type.Union(SANDBOX_STATES.map((state) => Type.Literal(state)));
const SandboxId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' });
export const SandboxParams = Type.Object({ id: SandboxId });

const AutoPauseSettingsSchema = Type.Object(
  {
    idleTimeoutSec: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 30 * 86_400 }))),
    maxExecutionTimeSec: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, maximum: 30 * 86_400 })),
    ),
    maxMemoryMb: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_048_576 }))),
  },
  { additionalProperties: false },
);
export const SettingsSchema = Type.Object(
  {
    autoPause: AutoPauseSettingsSchema,
    network: Type.Optional(
      Type.Boolean({
        description:
          'the sandbox may use the network (isolated driver: only where the worker allows it, SANDBOX_NETWORK); default false. Kept when omitted from a settings update.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreateSandboxBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    metadata: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 50 }),
    ),
    settings: Type.Optional(SettingsSchema),
  },
  { additionalProperties: false },
);
export type CreateSandboxBody = Static<typeof CreateSandboxBody>;

export const PauseBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    state: Type.Optional(SandboxStateSchema),
    dealershipId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const SandboxView = Type.Object({
  id: Type.String(),
  dealershipId: Type.String(),
  name: Nullable(Type.String()),
  state: SandboxStateSchema,
  metadata: Type.Record(Type.String(), Type.Unknown()),
  settings: Type.Object({
    autoPause: Type.Object({
      idleTimeoutSec: Nullable(Type.Integer()),
      maxExecutionTimeSec: Nullable(Type.Integer()),
      maxMemoryMb: Nullable(Type.Integer()),
    }),
    network: Type.Boolean(),
  }),
  createdBy: Type.String(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  stateChangedAt: IsoTime,
  lastActivityAt: IsoTime,
  pausedAt: Nullable(IsoTime),
  pauseReason: Nullable(Type.String()),
  pausedBy: Nullable(Type.String()),
  pauseSource: Nullable(Type.String()),
  error: Nullable(Type.String()),
});
export type SandboxView = Static<typeof SandboxView>;

const UsageView = Type.Object({
  processes: Type.Integer(),
  rssBytes: Type.Integer(),
  cpuSeconds: Type.Number(),
  sampledAt: Type.String({
    format: 'date-time',
    description:
      "When these numbers were read: one reading (a /proc sample for every sandbox, or the sandbox's cgroup) serves for SANDBOX_USAGE_SAMPLE_TTL_MS (default 1 s)",
  }),
});

export const StatusView = Type.Composite([SandboxView, Type.Object({ usage: UsageView })]);

export const HistoryEntryView = Type.Object({
  seq: Type.Integer(),
  action: Type.String(),
  from: Nullable(SandboxStateSchema),
  to: SandboxStateSchema,
  actor: Type.String(),
  source: Type.String(),
  reason: Nullable(Type.String()),
  timestamp: IsoTime,
});

export const BulkBody = Type.Object(
  {
    ids: Type.Array(Type.String({ maxLength: 256 }), { minItems: 1, maxItems: 1000 }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const BulkResult = Type.Object({
  id: Type.String(),
  success: Type.Boolean(),
  state: Type.Optional(SandboxStateSchema),
  error: Type.Optional(
    Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ),
});

/** `{success:true, data}` around a schema, for response documentation and serialisation. */
export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Literal(true), data });
/** The failure envelope (packages/errors), described for one status of one route. */
export const ErrorRef = (description: string) => Type.Ref('ErrorEnvelope', { description });

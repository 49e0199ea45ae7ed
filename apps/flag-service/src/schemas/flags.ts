import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  FlagDefinition,
  FlagKey,
  Flag as FlagSchema,
  REASONS,
  EVALUATION_ERRORS,
} from '@switchboard/flags';

const Reason = Type.Optional(
  Type.String({ maxLength: 500, description: 'Why; recorded in the audit log' }),
);
const Version = Type.Optional(
  Type.Integer({
    minimum: 0,
    description: 'Optimistic concurrency: the version this change was made from (or send If-Match)',
  }),
);

export { FlagSchema as Flag };

/** The success envelope around a response schema. */
export const envelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Literal(true), data });

export const KeyParams = Type.Object({ key: FlagKey });
export type KeyParams = Static<typeof KeyParams>;

export const CreateFlagBody = Type.Object(
  { key: FlagKey, ...FlagDefinition.properties, reason: Reason },
  { additionalProperties: false },
);
export type CreateFlagBody = Static<typeof CreateFlagBody>;

export const UpdateFlagBody = Type.Object(
  { ...FlagDefinition.properties, version: Version, reason: Reason },
  { additionalProperties: false },
);
export type UpdateFlagBody = Static<typeof UpdateFlagBody>;

export const ToggleBody = Type.Object(
  { enabled: Type.Boolean(), version: Version, reason: Reason },
  { additionalProperties: false },
);
export type ToggleBody = Static<typeof ToggleBody>;

export const ArchiveBody = Type.Object(
  { version: Version, reason: Reason },
  { additionalProperties: false },
);
export type ArchiveBody = Static<typeof ArchiveBody>;

export const RollbackBody = Type.Object(
  { version: Type.Integer({ minimum: 1, description: 'The version to restore' }), reason: Reason },
  { additionalProperties: false },
);
export type RollbackBody = Static<typeof RollbackBody>;

export const ListQuery = Type.Object(
  {
    tag: Type.Optional(Type.String({ maxLength: 64 })),
    enabled: Type.Optional(Type.Boolean()),
    archived: Type.Optional(
      Type.Boolean({ description: 'Default false: archived flags are hidden' }),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 128,
        description: 'Substring of key or description (case-insensitive)',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(
      Type.String({ maxLength: 128, description: 'The last key of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(
      Type.String({
        pattern: '^[0-9]+-[0-9]+$',
        maxLength: 64,
        description: 'id of the last entry of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;

export const VersionsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
export type VersionsQuery = Static<typeof VersionsQuery>;

/** An evaluation context: the well-known attributes plus any others a rule may test. */
const EvaluationContext = Type.Object(
  {
    targetingKey: Type.Optional(Type.String({ maxLength: 256 })),
    userId: Type.Optional(Type.String({ maxLength: 256 })),
    dealershipId: Type.Optional(Type.String({ maxLength: 256 })),
    environment: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true, maxProperties: 100 },
);

export const EvaluateBody = Type.Object(
  {
    context: Type.Optional(EvaluationContext),
    keys: Type.Optional(
      Type.Array(FlagKey, { maxItems: 1000, description: 'Only these flags (default: all)' }),
    ),
  },
  { additionalProperties: false },
);
export type EvaluateBody = Static<typeof EvaluateBody>;

export const EvaluateOneBody = Type.Object(
  { context: Type.Optional(EvaluationContext) },
  { additionalProperties: false },
);
export type EvaluateOneBody = Static<typeof EvaluateOneBody>;

export const EvaluationResult = Type.Object({
  key: Type.String(),
  /** Absent only when the flag does not exist. */
  value: Type.Optional(Type.Unknown()),
  variant: Type.Optional(Type.String()),
  reason: Type.Union(REASONS.map((reason) => Type.Literal(reason))),
  version: Type.Integer(),
  errorCode: Type.Optional(Type.Union(EVALUATION_ERRORS.map((code) => Type.Literal(code)))),
  errorMessage: Type.Optional(Type.String()),
});

import { type Static, Type } from '@sinclair/typebox';

/** Flag keys are used in Redis keys, URLs and metric labels: keep them short and plain. */
export const FlagKey = Type.String({ pattern: '^[A-Za-z0-9_.\\-]{1,128}$', maxLength: 128 });

export const FlagType = Type.Union([
  Type.Literal('boolean'),
  Type.Literal('string'),
  Type.Literal('number'),
  Type.Literal('json'),
]);
export type FlagType = Static<typeof FlagType>;

export const OPERATORS = [
  'in',
  'not_in',
  'equals',
  'starts_with',
  'ends_with',
  'contains',
  'regex',
  'semver_eq',
  'semver_lt',
  'semver_gt',
  'num_eq',
  'num_lt',
  'num_lte',
  'num_gt',
  'num_gte',
  'date_before',
  'date_after',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators that compare the attribute with a list (`values`); the others use one `value`. */
export const LIST_OPERATORS: ReadonlySet<Operator> = new Set([
  'in',
  'not_in',
  'starts_with',
  'ends_with',
  'contains',
]);

export const Constraint = Type.Object(
  {
    attribute: Type.String({ minLength: 1, maxLength: 128 }),
    operator: Type.Union(OPERATORS.map((op) => Type.Literal(op))),
    values: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 })),
    value: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Number()])),
    negate: Type.Optional(Type.Boolean()),
    caseInsensitive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type Constraint = Static<typeof Constraint>;

export const WeightedVariant = Type.Object(
  {
    variant: Type.String({ minLength: 1, maxLength: 64 }),
    /** Percent with up to two decimals; the weights of a rollout sum to 100. */
    weight: Type.Number({ minimum: 0, maximum: 100 }),
  },
  { additionalProperties: false },
);
export type WeightedVariant = Static<typeof WeightedVariant>;

export const Rollout = Type.Object(
  {
    /** Context attribute that keeps a caller in its bucket: `targetingKey` (falls back to userId), `dealershipId`, ... */
    stickiness: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Hash group; defaults to the flag key (as Unleash does), so rules of one flag bucket alike. */
    groupId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    variants: Type.Array(WeightedVariant, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);
export type Rollout = Static<typeof Rollout>;

export const Rule = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 500 })),
    constraints: Type.Array(Constraint, { maxItems: 50 }),
    /** Serve this variant when every constraint holds... */
    variant: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** ...or split the matching callers across variants. Exactly one of `variant` and `rollout`. */
    rollout: Type.Optional(Rollout),
  },
  { additionalProperties: false },
);
export type Rule = Static<typeof Rule>;

export const FlagValue = Type.Unknown({
  description: 'boolean, string, number or JSON, matching the flag type',
});

/** What an admin writes: the whole definition of a flag. */
export const FlagDefinition = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    type: Type.Optional(FlagType),
    enabled: Type.Optional(Type.Boolean()),
    /** Variant name -> value. Boolean flags default to {on: true, off: false}. */
    variants: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.\\-]{1,64}$' }), FlagValue, {
        maxProperties: 100,
        additionalProperties: false,
      }),
    ),
    /** Served when the flag is on and no rule matches. */
    defaultVariant: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Served when the kill switch is off; defaults to `off` for boolean flags, else defaultVariant. */
    offVariant: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    rules: Type.Optional(Type.Array(Rule, { maxItems: 200 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type FlagDefinition = Static<typeof FlagDefinition>;

/** A flag as stored and served: a complete definition plus its identity and history position. */
export const Flag = Type.Object({
  key: FlagKey,
  version: Type.Integer({ minimum: 1 }),
  description: Type.String(),
  type: FlagType,
  enabled: Type.Boolean(),
  variants: Type.Record(Type.String(), FlagValue),
  defaultVariant: Type.String(),
  offVariant: Type.Optional(Type.String()),
  rules: Type.Array(Rule),
  tags: Type.Array(Type.String()),
  archived: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  updatedBy: Type.String(),
});
export type Flag = Static<typeof Flag>;

/** What a message on the changes channel carries (write-flag-7.lua); SDKs validate it before applying it. */
export const FlagChangeMessage = Type.Object({
  type: Type.Literal('upsert'),
  publishedAt: Type.Number(),
  flag: Flag,
});
export type FlagChangeMessage = Static<typeof FlagChangeMessage>;

export const REASONS = [
  'STATIC',
  'TARGETING_MATCH',
  'SPLIT',
  'DISABLED',
  'DEFAULT',
  'ERROR',
] as const;
export type EvaluationReason = (typeof REASONS)[number];

export const EVALUATION_ERRORS = [
  'FLAG_NOT_FOUND',
  'TARGETING_KEY_MISSING',
  'INVALID_CONTEXT',
  'PARSE_ERROR',
  'TYPE_MISMATCH',
  'GENERAL',
] as const;
export type EvaluationErrorCode = (typeof EVALUATION_ERRORS)[number];

export interface EvaluationResult {
  key: string;
  value: unknown;
  variant: string | undefined;
  reason: EvaluationReason;
  /** The flag version that produced the answer (0 when the flag does not exist). */
  version: number;
  errorCode?: EvaluationErrorCode;
  errorMessage?: string;
}

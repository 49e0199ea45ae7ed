import { type Static, Type } from '@sinclair/typebox';
import { OFREP_REASONS } from '../domain/ofrep.js';

/** OFREP request: `{context?}`; the context must be an object (else INVALID_CONTEXT). */
export const OfrepRequest = Type.Object(
  { context: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 100 })) },
  { additionalProperties: true },
);
export type OfrepRequest = Static<typeof OfrepRequest>;

const literals = (values: readonly string[]) =>
  Type.Union(values.map((value) => Type.Literal(value)));

/** Evaluation failures (400, and failed items of a bulk answer); FLAG_NOT_FOUND is the 404's own. */
const OfrepErrorCode = literals([
  'PARSE_ERROR',
  'TARGETING_KEY_MISSING',
  'INVALID_CONTEXT',
  'GENERAL',
]);

export const OfrepSuccess = Type.Object({
  key: Type.String(),
  /** boolean, string, number or object; never an array or null (OFREP has no such value); absent = use the code default. */
  value: Type.Optional(
    Type.Union([
      Type.Boolean(),
      Type.String(),
      Type.Number(),
      Type.Object({}, { additionalProperties: true }),
    ]),
  ),
  reason: literals(OFREP_REASONS),
  variant: Type.Optional(Type.String()),
  metadata: Type.Optional(
    Type.Object({ version: Type.Integer(), evaluationReason: Type.Optional(Type.String()) }),
  ),
});

export const OfrepFailure = Type.Object({
  key: Type.String(),
  errorCode: OfrepErrorCode,
  errorDetails: Type.Optional(Type.String()),
});
export const OfrepNotFound = Type.Object({
  key: Type.String(),
  errorCode: Type.Literal('FLAG_NOT_FOUND'),
  errorDetails: Type.Optional(Type.String()),
});
/** OFREP's 500 body is `{errorDetails}`; key and errorCode GENERAL are added for clients that read them. */
export const OfrepServerError = Type.Object({
  errorDetails: Type.Optional(Type.String()),
  key: Type.Optional(Type.String()),
  errorCode: Type.Optional(Type.Literal('GENERAL')),
});
export const OfrepBulkFailure = Type.Object({
  errorCode: OfrepErrorCode,
  errorDetails: Type.Optional(Type.String()),
});
export const OfrepBulkSuccess = Type.Object({
  flags: Type.Array(Type.Union([OfrepSuccess, OfrepFailure, OfrepNotFound])),
});

/** OFREP's general error (429 rate limited, 503 unavailable): a message only; Retry-After says when to come back. */
export const OfrepGeneralFailure = Type.Object({ errorDetails: Type.Optional(Type.String()) });

import { type Static, Type } from '@sinclair/typebox';

/** OFREP request: `{context?}`; the context must be an object (else INVALID_CONTEXT). */
export const OfrepRequest = Type.Object({ context: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 100 })) }, { additionalProperties: true });
export type OfrepRequest = Static<typeof OfrepRequest>;

export const OfrepErrorCode = Type.Union(['PARSE_ERROR', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL', 'FLAG_NOT_FOUND'].map((code) => Type.Literal(code)));

export const OfrepSuccess = Type.Object({
  key: Type.String(),
  value: Type.Unknown(),
  reason: Type.String(),
  variant: Type.Optional(Type.String()),
  metadata: Type.Optional(Type.Object({ version: Type.Integer() })),
});

export const OfrepFailure = Type.Object({ key: Type.String(), errorCode: OfrepErrorCode, errorDetails: Type.Optional(Type.String()) });
export const OfrepBulkFailure = Type.Object({ errorCode: OfrepErrorCode, errorDetails: Type.Optional(Type.String()) });
export const OfrepBulkSuccess = Type.Object({ flags: Type.Array(Type.Union([OfrepSuccess, OfrepFailure])) });

/** OFREP's general error (429 rate limited, 503 unavailable): a message only; Retry-After says when to come back. */
export const OfrepGeneralFailure = Type.Object({ errorDetails: Type.Optional(Type.String()) });

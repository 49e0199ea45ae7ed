/**
 * JSON schemas of the envelopes, for OpenAPI documents. Plain JSON Schema (not TypeBox) so this
 * package stays free of a schema library; apps reference them in `response` schemas.
 */
import { ErrorCode } from './catalog.js';

export const errorEnvelopeSchema = {
  $id: 'ErrorEnvelope',
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { type: 'boolean', const: false },
    error: {
      type: 'object',
      required: ['code', 'message', 'details', 'traceId'],
      properties: {
        code: { type: 'string', enum: Object.values(ErrorCode) },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
        traceId: { type: 'string' },
      },
    },
  },
} as const;

/** A route's `response` entries for the failure statuses it documents, each the ErrorEnvelope. */
export function errorResponses<Status extends number>(
  ...statuses: Status[]
): Record<Status, { $ref: 'ErrorEnvelope#' }> {
  return Object.fromEntries(
    statuses.map((status) => [status, { $ref: 'ErrorEnvelope#' }]),
  ) as Record<Status, { $ref: 'ErrorEnvelope#' }>;
}

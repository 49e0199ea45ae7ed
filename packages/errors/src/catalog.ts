export interface ErrorDefinition {
  status: number;
  message: string;
}

const define = (status: number, message: string): ErrorDefinition => ({ status, message });

/**
 * The error catalog: every code a client can receive, its HTTP status and default message.
 * Apps never invent codes; they throw `new AppError(ErrorCode.X, ...)`.
 */
export const errorCatalog = {
  VALIDATION_ERROR: define(400, 'The request is invalid.'),
  UNAUTHORIZED: define(401, 'Authentication is required.'),
  FORBIDDEN: define(403, 'You are not allowed to do this.'),
  RECORD_NOT_FOUND: define(404, 'The record was not found.'),
  FEATURE_DISABLED: define(404, 'This feature is disabled.'),
  INVALID_STATE_TRANSITION: define(409, 'The resource cannot make this state transition.'),
  IDEMPOTENCY_CONFLICT: define(409, 'This Idempotency-Key was used with a different request.'),
  PAYLOAD_TOO_LARGE: define(413, 'The payload is too large.'),
  RESOURCE_LOCKED: define(423, 'The resource is locked.'),
  RATE_LIMITED: define(429, 'Too many requests.'),
  ROOM_LIMIT_EXCEEDED: define(429, 'This connection is in as many rooms as it may be.'),
  CONNECTION_LIMIT_EXCEEDED: define(429, 'This user has as many connections as it may have.'),
  INTERNAL_ERROR: define(500, 'An unexpected error occurred.'),
  SERVICE_UNAVAILABLE: define(503, 'The service is unavailable.'),
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalog;

/** Each code by its own name (`ErrorCode.RECORD_NOT_FOUND`), so a typo does not compile. */
export const ErrorCode = Object.fromEntries(
  Object.keys(errorCatalog).map((code) => [code, code]),
) as { readonly [Code in ErrorCode]: Code };

export function statusOf(code: ErrorCode): number {
  return errorCatalog[code].status;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}

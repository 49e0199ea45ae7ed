/**
 * The error catalog: every code a client can receive, its HTTP status and default message.
 * Apps never invent codes; they throw `new AppError(ErrorCode.X, ...)`.
 */
export const ErrorCode = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RECORD_NOT_FOUND: 'RECORD_NOT_FOUND',
  FEATURE_DISABLED: 'FEATURE_DISABLED',
  INVALID_STATE_TRANSITION: 'INVALID_STATE_TRANSITION',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RESOURCE_LOCKED: 'RESOURCE_LOCKED',
  RATE_LIMITED: 'RATE_LIMITED',
  ROOM_LIMIT_EXCEEDED: 'ROOM_LIMIT_EXCEEDED',
  CONNECTION_LIMIT_EXCEEDED: 'CONNECTION_LIMIT_EXCEEDED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorDefinition {
  status: number;
  message: string;
}

export const errorCatalog: Readonly<Record<ErrorCode, ErrorDefinition>> = {
  VALIDATION_ERROR: { status: 400, message: 'The request is invalid.' },
  UNAUTHORIZED: { status: 401, message: 'Authentication is required.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  RECORD_NOT_FOUND: { status: 404, message: 'The record was not found.' },
  FEATURE_DISABLED: { status: 404, message: 'This feature is disabled.' },
  INVALID_STATE_TRANSITION: {
    status: 409,
    message: 'The resource cannot make this state transition.',
  },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    message: 'This Idempotency-Key was used with a different request.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The payload is too large.' },
  RESOURCE_LOCKED: { status: 423, message: 'The resource is locked.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests.' },
  ROOM_LIMIT_EXCEEDED: {
    status: 429,
    message: 'This connection is in as many rooms as it may be.',
  },
  CONNECTION_LIMIT_EXCEEDED: {
    status: 429,
    message: 'This user has as many connections as it may have.',
  },
  INTERNAL_ERROR: { status: 500, message: 'An unexpected error occurred.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is unavailable.' },
};

export function statusOf(code: ErrorCode): number {
  return errorCatalog[code].status;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}

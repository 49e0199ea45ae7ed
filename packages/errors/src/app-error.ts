import { type ErrorCode, errorCatalog } from './catalog.js';

export type ErrorDetails = Record<string, unknown>;

/** The one error type that reaches clients; its code decides the HTTP status. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: ErrorDetails;
  /** Extra response headers, e.g. Retry-After on RATE_LIMITED. */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message?: string,
    details: ErrorDetails = {},
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message ?? errorCatalog[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.statusCode = errorCatalog[code].status;
    this.details = details;
    this.headers = options.headers ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

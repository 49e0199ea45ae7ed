import type { ErrorCode } from './catalog.js';
import type { ErrorDetails } from './app-error.js';

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details: ErrorDetails;
  traceId: string;
}

export interface FailureEnvelope {
  success: false;
  error: ErrorBody;
}

export function ok<T>(data: T): SuccessEnvelope<T> {
  return { success: true, data };
}

export function failure(error: ErrorBody): FailureEnvelope {
  return { success: false, error };
}

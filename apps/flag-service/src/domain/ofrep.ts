import type { EvaluationResult } from '@switchboard/flags';

export type OfrepErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL' | 'FLAG_NOT_FOUND';

export type OfrepEvaluation =
  | { key: string; value: unknown; reason: string; variant?: string; metadata: { version: number } }
  | { key: string; errorCode: OfrepErrorCode; errorDetails?: string };

/** HTTP status of a single-flag OFREP error (OFREP spec: 404 not found, 400 context problems, else 500). */
export function ofrepStatus(code: OfrepErrorCode): 400 | 404 | 500 {
  if (code === 'FLAG_NOT_FOUND') return 404;
  if (code === 'GENERAL') return 500;
  return 400;
}

/** Our evaluation result in OFREP's shape. */
export function toOfrep(result: EvaluationResult): OfrepEvaluation {
  if (result.errorCode) {
    const errorCode: OfrepErrorCode = result.errorCode === 'TYPE_MISMATCH' ? 'GENERAL' : result.errorCode;
    return { key: result.key, errorCode, ...(result.errorMessage ? { errorDetails: result.errorMessage } : {}) };
  }
  return { key: result.key, value: result.value, reason: result.reason, ...(result.variant ? { variant: result.variant } : {}), metadata: { version: result.version } };
}

import type { EvaluationReason, EvaluationResult } from '@switchboard/flags';

export type OfrepErrorCode =
  'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL' | 'FLAG_NOT_FOUND';

/** The `reason` values OFREP v1 allows in a successful evaluation (docs/api/flags.md, OFREP). */
export const OFREP_REASONS = ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DISABLED', 'UNKNOWN'] as const;
type OfrepReason = (typeof OFREP_REASONS)[number];

/**
 * Our reasons onto OFREP's. `DEFAULT` (rules exist, none matched) is an OpenFeature reason that
 * OFREP does not list; it is neither `STATIC` (the answer did depend on the context, so a client
 * must not cache it as static) nor a match, so it is `UNKNOWN`, with our reason kept in
 * `metadata.evaluationReason`. `ERROR` only comes with an errorCode, which answers a failure.
 */
const OFREP_REASON_OF: Readonly<Record<EvaluationReason, OfrepReason>> = {
  STATIC: 'STATIC',
  TARGETING_MATCH: 'TARGETING_MATCH',
  SPLIT: 'SPLIT',
  DISABLED: 'DISABLED',
  DEFAULT: 'UNKNOWN',
  ERROR: 'UNKNOWN',
};

/** What an OFREP success may carry (its value types: boolean, string, integer, float, object). */
type OfrepValue = boolean | string | number | Record<string, unknown>;

export type OfrepEvaluation =
  | {
      key: string;
      value: OfrepValue;
      reason: OfrepReason;
      variant?: string;
      metadata: { version: number; evaluationReason?: string };
    }
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
    const errorCode: OfrepErrorCode =
      result.errorCode === 'TYPE_MISMATCH' ? 'GENERAL' : result.errorCode;
    return {
      key: result.key,
      errorCode,
      ...(result.errorMessage ? { errorDetails: result.errorMessage } : {}),
    };
  }
  // OFREP values are a boolean, string, number or object; a JSON flag's top-level array or null
  // has no OFREP form, so the client is told to use its own default.
  if (result.value === null || Array.isArray(result.value)) {
    return {
      key: result.key,
      errorCode: 'GENERAL',
      errorDetails: `the value of ${result.key} is ${result.value === null ? 'null' : 'an array'}; OFREP carries objects, not arrays or null`,
    };
  }
  const reason = OFREP_REASON_OF[result.reason];
  const metadata = {
    version: result.version,
    ...(reason !== result.reason ? { evaluationReason: result.reason } : {}),
  };
  return {
    key: result.key,
    value: result.value as OfrepValue,
    reason,
    ...(result.variant ? { variant: result.variant } : {}),
    metadata,
  };
}

import type { FlagContext } from '../flag-reader.js';
import type { EvaluationResult, Flag, Rollout } from '../model/flag-schema.js';
import { BUCKETS, bucketOf } from './bucket.js';
import { attributeOf, attributeString } from './context.js';
import { constraintHolds } from './operators.js';

export const DEFAULT_STICKINESS = 'targetingKey';

/** The variant served when the kill switch is off. */
export function offVariantOf(
  flag: Pick<Flag, 'type' | 'variants' | 'defaultVariant' | 'offVariant'>,
): string {
  if (flag.offVariant) return flag.offVariant;
  if (flag.type === 'boolean' && Object.hasOwn(flag.variants, 'off')) return 'off';
  return flag.defaultVariant;
}

type Pick_ = { variant: string } | { missing: string };

/**
 * Picks a variant by the caller's bucket: variants take consecutive bucket ranges in the order
 * listed, so raising the first variant's weight from 20 to 40 keeps everyone who was in the
 * first 20 % in it.
 */
export function pickRolloutVariant(rollout: Rollout, flagKey: string, context: FlagContext): Pick_ {
  const stickiness = rollout.stickiness ?? DEFAULT_STICKINESS;
  const value = attributeString(attributeOf(context, stickiness));
  if (value === undefined || value === '') return { missing: stickiness };
  const bucket = bucketOf(rollout.groupId ?? flagKey, value);
  let upper = 0;
  for (const { variant, weight } of rollout.variants) {
    upper += Math.round(weight * (BUCKETS / 100));
    if (bucket <= upper) return { variant };
  }
  // Rounding can leave the top bucket uncovered; it belongs to the last variant.
  return { variant: rollout.variants[rollout.variants.length - 1]!.variant };
}

function result(flag: Flag, variant: string, reason: EvaluationResult['reason']): EvaluationResult {
  return { key: flag.key, value: flag.variants[variant], variant, reason, version: flag.version };
}

/**
 * Evaluates one flag for one context. Pure and synchronous: the flag service and every
 * in-process SDK run exactly this, so an answer never depends on where it was computed.
 * Order: archived/kill switch, then rules top to bottom (first match wins), then the default.
 */
export function evaluateFlag(
  flag: Flag | undefined,
  context: FlagContext = {},
  key = flag?.key ?? '',
): EvaluationResult {
  try {
    return evaluateUnguarded(flag, context, key);
  } catch (error) {
    // A flag that cannot be evaluated (a stored definition older code cannot read, a context
    // attribute of a shape no operator expects) serves its default instead of failing the caller.
    const fallback = flag?.defaultVariant;
    return {
      key,
      value: fallback === undefined ? undefined : flag?.variants[fallback],
      variant: fallback,
      reason: 'ERROR',
      version: flag?.version ?? 0,
      errorCode: 'GENERAL',
      errorMessage: `evaluation failed: ${(error as Error).message}`.slice(0, 500),
    };
  }
}

function evaluateUnguarded(
  flag: Flag | undefined,
  context: FlagContext,
  key: string,
): EvaluationResult {
  if (!flag || flag.archived) {
    return {
      key,
      value: undefined,
      variant: undefined,
      reason: 'ERROR',
      version: flag?.version ?? 0,
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: `flag ${key} not found`,
    };
  }
  if (!flag.enabled) return result(flag, offVariantOf(flag), 'DISABLED');
  for (const rule of flag.rules) {
    if (!rule.constraints.every((constraint) => constraintHolds(constraint, context))) continue;
    if (rule.variant !== undefined) return result(flag, rule.variant, 'TARGETING_MATCH');
    if (rule.rollout) {
      const picked = pickRolloutVariant(rule.rollout, flag.key, context);
      if ('missing' in picked) {
        return {
          ...result(flag, flag.defaultVariant, 'ERROR'),
          errorCode: 'TARGETING_KEY_MISSING',
          errorMessage: `the rollout needs the context attribute ${picked.missing}`,
        };
      }
      return result(flag, picked.variant, 'SPLIT');
    }
  }
  return result(flag, flag.defaultVariant, flag.rules.length === 0 ? 'STATIC' : 'DEFAULT');
}

/** The kill-switch view of a flag: off, missing, archived or erroring flags are not enabled. */
export function isEnabledResult(flag: Flag | undefined, evaluation: EvaluationResult): boolean {
  if (!flag || !flag.enabled || evaluation.errorCode) return false;
  return flag.type === 'boolean' ? evaluation.value === true : true;
}

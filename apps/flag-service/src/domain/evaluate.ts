import type { PrincipalClaims } from '@switchboard/auth';
import type { EvaluationResult, FlagContext, FlagsClient } from '@switchboard/flags';
import type { FastifyInstance } from 'fastify';

/**
 * The context a caller may evaluate with: anything it sends, except that a non-admin always
 * evaluates as its own dealership (a tenant cannot probe another tenant's targeting).
 */
export function scopedContext(
  context: FlagContext | undefined,
  principal: PrincipalClaims,
): FlagContext {
  const given = { ...(context ?? {}) };
  if (principal.role !== 'admin') given.dealershipId = principal.dealershipId;
  return given;
}

/** Evaluates with the service's live snapshot and records the seed metrics. */
export function evaluateMeasured(
  app: FastifyInstance,
  client: FlagsClient,
  key: string,
  context: FlagContext,
): EvaluationResult {
  const started = process.hrtime.bigint();
  const result = client.evaluate(key, context);
  app.flagMetrics.evaluated(result, Number(process.hrtime.bigint() - started) / 1e9);
  return result;
}

/** Keys a bulk evaluation covers: the requested ones, or every live (unarchived) flag. */
export function evaluableKeys(client: FlagsClient, requested?: string[]): string[] {
  if (requested) return [...new Set(requested)];
  return client
    .flags()
    .filter((flag) => !flag.archived)
    .map((flag) => flag.key)
    .sort();
}

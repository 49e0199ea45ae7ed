import { AppError } from './app-error.js';
import { ErrorCode } from './catalog.js';

/**
 * Builds the RATE_LIMITED error for @fastify/rate-limit's `errorResponseBuilder`, so throttled
 * requests answer the same envelope as every other failure.
 */
export function rateLimitError(context: { max: number; after: string; ttl: number }): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(context.ttl / 1000));
  return new AppError(
    ErrorCode.RATE_LIMITED,
    `Rate limit exceeded: ${context.max} requests allowed, retry in ${context.after}.`,
    { limit: context.max, retryAfterSeconds },
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );
}

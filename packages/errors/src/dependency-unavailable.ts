import { AppError } from './app-error.js';
import { ErrorCode } from './catalog.js';

/** Seconds a client is asked to wait when Redis is away: reconnects back off up to 5 s. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

// ioredis' own wording (it has no error codes for these): the connection is down and the offline
// queue is off, a command timed out, the connection closed under a command, retries ran out, or
// a Cluster has no reachable node. Matched by text so this package needs no Redis client.
const REDIS_DOWN = [
  /enableOfflineQueue options is false/,
  /^Command timed out$/,
  /^Connection is closed\.?$/,
  /Reached the max retries per request limit/,
  /None of startup nodes is available/,
  /Failed to refresh slots cache/,
  /^Cluster isn't ready/,
];
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTCONN',
]);

/** Whether an error says Redis (or the way to it) is unavailable, rather than that a command is wrong. */
export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'ClusterAllFailedError')
    return true;
  return REDIS_DOWN.some((pattern) => pattern.test(error.message));
}

/** 503 SERVICE_UNAVAILABLE with Retry-After, for a request that failed because Redis is away. */
export function dependencyUnavailableError(cause: unknown): AppError {
  return new AppError(
    ErrorCode.SERVICE_UNAVAILABLE,
    'A dependency of this service is unavailable; retry shortly.',
    { dependency: 'redis', retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS },
    { cause, headers: { 'retry-after': String(DEPENDENCY_RETRY_AFTER_SECONDS) } },
  );
}

import { type Static, Type } from '@sinclair/typebox';
import { loadConfig } from './load-config.js';

const perWindow = (fallback: number, description: string) =>
  Type.Integer({ default: fallback, minimum: 1, description });

/**
 * What every HTTP service does to stay up under abuse or overload (docs/operations.md,
 * "Rate limits and load shedding"): request rate limits shared by all instances through Redis,
 * load shedding before the process falls over, and a bound on how long a Redis command may wait.
 * Defaults are generous for real clients and the test suites; the stack and the benchmarks
 * raise them explicitly.
 */
export const ProtectionEnv = Type.Object({
  HTTP_RATE_LIMIT_ENABLED: Type.Boolean({
    default: true,
    description: 'false turns every HTTP rate limit off (never in production)',
  }),
  HTTP_RATE_LIMIT_WINDOW_MS: Type.Integer({
    default: 60_000,
    minimum: 1000,
    description: 'length of every rate-limit window',
  }),
  HTTP_RATE_LIMIT_IP_MAX: perWindow(
    12_000,
    'requests per window from one client IP, counted before authentication',
  ),
  HTTP_RATE_LIMIT_READ_MAX: perWindow(
    3_000,
    'GET/HEAD requests per window per principal (dealership + sub)',
  ),
  HTTP_RATE_LIMIT_WRITE_MAX: perWindow(
    600,
    'POST/PUT/PATCH/DELETE requests per window per principal',
  ),
  HTTP_RATE_LIMIT_EVALUATE_MAX: perWindow(
    6_000,
    'flag evaluation requests per window per principal',
  ),
  HTTP_RATE_LIMIT_OFREP_MAX: perWindow(6_000, 'OFREP requests per window per principal'),
  HTTP_RATE_LIMIT_PUBLISH_MAX: perWindow(
    60_000,
    'realtime server API publish/broadcast requests per window per token (dealership + sub)',
  ),
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({
    default: 1_000,
    minimum: 0,
    description: 'shed load (503) above this mean event-loop delay; 0 = off',
  }),
  PRESSURE_MAX_HEAP_USED_BYTES: Type.Integer({
    default: 0,
    minimum: 0,
    description:
      "shed load above this V8 heap use; 0 = 90 % of V8's heap limit (past which the process dies)",
  }),
  PRESSURE_MAX_RSS_BYTES: Type.Integer({
    default: 0,
    minimum: 0,
    description:
      "shed load above this resident set size (set it below the container's memory limit); 0 = off",
  }),
  PRESSURE_RETRY_AFTER_SEC: Type.Integer({
    default: 5,
    minimum: 1,
    description: 'Retry-After of a shed request',
  }),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({
    default: 2_000,
    minimum: 50,
    description: 'a request-path Redis command that has no answer by then fails (503)',
  }),
});
export type ProtectionConfig = Static<typeof ProtectionEnv>;

/** The protection settings with every default, for apps and tests built without an environment. */
export function protectionDefaults(overrides: Partial<ProtectionConfig> = {}): ProtectionConfig {
  return { ...loadConfig(ProtectionEnv, {}), ...overrides };
}

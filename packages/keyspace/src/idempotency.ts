import type { Prefixer } from './prefix.js';

export function idempotencyKeys(p: Prefixer) {
  return {
    /** scope: the service and route; actor: the caller's `sub`, so keys never cross callers. */
    record: (scope: string, actor: string, key: string) => p(`idempotency:${scope}:${actor}:${key}`),
  };
}

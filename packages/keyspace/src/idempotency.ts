import type { Prefixer } from './prefix.js';

/**
 * Each part is percent-encoded, so a `:` inside a sub, dealership or key cannot shift the
 * boundaries between parts and make two different scopes spell the same key.
 */
const part = (value: string) => encodeURIComponent(value);

export function idempotencyKeys(p: Prefixer) {
  return {
    /**
     * scope: the service; dealershipId + actor: the caller (the same `sub` in another tenant is
     * another caller); route: method and route template (`POST /api/sandbox/pause/:id`), so a
     * key never replays on another endpoint; key: the client's Idempotency-Key.
     */
    record: (scope: string, dealershipId: string, actor: string, route: string, key: string) =>
      p(
        `idempotency:${part(scope)}:${part(dealershipId)}:${part(actor)}:${part(route)}:${part(key)}`,
      ),
  };
}

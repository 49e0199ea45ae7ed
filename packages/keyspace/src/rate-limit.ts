import type { Prefixer } from './prefix.js';

/**
 * Rate-limit buckets. Each key is `namespace + bucket`, the requests leased from it in the current
 * window (service-kit's lease script, one key per call, so any Cluster slot will do); both halves
 * are built here.
 * Parts that come from a client are URI-encoded, so `:` in a dealership or sub can never make
 * two principals' buckets collide.
 */
export function rateLimitKeys(p: Prefixer) {
  return {
    /** prefix of every bucket of one service: `ratelimit:<service>:` */
    namespace: (service: string) => p(`ratelimit:${service}:`),
    /** bucket of one client IP, counted before authentication */
    ipBucket: (ip: string) => `ip:${encodeURIComponent(ip)}`,
    /** bucket of one principal for one route group: tenant and sub, never sub alone */
    principalBucket: (group: string, dealershipId: string, sub: string) =>
      `${group}:d:${encodeURIComponent(dealershipId)}:u:${encodeURIComponent(sub)}`,
  };
}

import type { PrincipalClaims } from './principal.js';

/**
 * Tokens whose signature and claims already verified, kept until they expire, so a caller that
 * sends the same bearer token on every request pays for HMAC/RSA verification and claim
 * validation once per token instead of once per request. Bounded (oldest entry leaves first) so a
 * flood of distinct valid tokens cannot grow it; only successes are kept, so a bad token is
 * verified (and refused) every time. Revocation is not this cache's business: it is a separate
 * check that runs after verification, on every request, cached token or not.
 */
export interface VerifiedTokenCache {
  get(token: string, nowMs: number): PrincipalClaims | undefined;
  set(token: string, claims: PrincipalClaims): void;
  readonly size: number;
}

/** Longer tokens than any Switchboard mints are verified every time rather than kept. */
const MAX_CACHED_TOKEN_LENGTH = 4096;

export function createVerifiedTokenCache(options: {
  maxEntries: number;
  /** The clock skew verification allows past `exp`, in seconds. */
  skewSec: number;
}): VerifiedTokenCache {
  const entries = new Map<string, { claims: PrincipalClaims; validUntilMs: number }>();
  const skewMs = options.skewSec * 1000;
  return {
    get(token, nowMs) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      // Past exp (and its skew) the token is verified again, which refuses it as expired.
      if (nowMs >= entry.validUntilMs) {
        entries.delete(token);
        return undefined;
      }
      return entry.claims;
    },
    set(token, claims) {
      if (options.maxEntries <= 0 || token.length > MAX_CACHED_TOKEN_LENGTH) return;
      if (entries.size >= options.maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      // Every request holding this token shares the object: nobody may change it under another.
      // A token cut from its header (a sliced string) would keep the whole header alive: keep a copy.
      entries.set(Buffer.from(token, 'latin1').toString('latin1'), {
        claims: Object.freeze(claims),
        validUntilMs: claims.exp * 1000 + skewMs,
      });
    },
    get size() {
      return entries.size;
    },
  };
}

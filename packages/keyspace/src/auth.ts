import type { Prefixer } from './prefix.js';

/** Token revocation: one deny-list for every service, so a revoked token fails everywhere. */
export function authKeys(p: Prefixer) {
  return {
    /** zset: revoked token ids (jti) -> the token's expiry (ms); pruned once a token expires anyway. */
    revokedTokens: () => p('auth:revoked-tokens'),
    /** channel: a jti just revoked, so every instance refuses it at once. */
    revocationChannel: () => p('auth:revocations'),
  };
}

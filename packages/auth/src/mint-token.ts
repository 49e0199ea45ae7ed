import { createSigner } from 'fast-jwt';
import type { RoleName, ServiceScopeName } from './principal.js';

export interface MintTokenInput {
  sub: string;
  dealershipId: string;
  role: RoleName;
  /** Lifetime, e.g. '1h', '15m', '7d', or seconds. Default '1h'. */
  ttl?: string | number;
  /** Seconds from now before which the token is not valid. */
  notBeforeSec?: number;
  /** Token id, so the token can be revoked (`pnpm token revoke <jti>`). */
  jti?: string;
  /** Operations of a `service` token on the server API. */
  scope?: ServiceScopeName[];
}

export type SigningKey = { secret: string } | { privateKey: string; algorithm: 'RS256' | 'ES256' };

export function ttlToMs(ttl: string | number): number {
  if (typeof ttl === 'number') return ttl * 1000;
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(ttl.trim());
  if (!match) throw new Error(`invalid ttl "${ttl}" (use e.g. 30s, 15m, 1h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    (match[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}

/** Signs a Switchboard token (dev CLI, tests, the dev stack). */
export function mintToken(input: MintTokenInput, key: SigningKey): string {
  const sign = createSigner({
    key: 'secret' in key ? key.secret : key.privateKey,
    algorithm: 'secret' in key ? 'HS256' : key.algorithm,
    expiresIn: ttlToMs(input.ttl ?? '1h'),
    ...(input.notBeforeSec ? { notBefore: input.notBeforeSec * 1000 } : {}),
  });
  return sign({
    sub: input.sub,
    dealershipId: input.dealershipId,
    role: input.role,
    ...(input.jti ? { jti: input.jti } : {}),
    ...(input.scope ? { scope: input.scope } : {}),
  });
}

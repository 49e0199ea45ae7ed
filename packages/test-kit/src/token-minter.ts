import { type RoleName, mintToken } from '@switchboard/auth';

export type TokenFor = (sub: string, dealershipId: string, role?: RoleName, ttl?: string) => string;

/** `tokenFor(sub, dealership, role)` signed with one test secret. */
export function tokenMinter(secret: string): TokenFor {
  return (sub, dealershipId, role = 'user', ttl) =>
    mintToken({ sub, dealershipId, role, ...(ttl ? { ttl } : {}) }, { secret });
}

import { AppError, ErrorCode } from '@switchboard/errors';
import type { PrincipalClaims } from './principal.js';

export function canAccessDealership(principal: PrincipalClaims, dealershipId: string): boolean {
  return principal.role === 'admin' || principal.dealershipId === dealershipId;
}

/**
 * Another tenant's resource answers exactly like a missing one (404), so ids cannot be probed.
 * `resource` names the kind in the message, e.g. "Sandbox".
 */
export function assertTenantAccess(
  principal: PrincipalClaims,
  dealershipId: string | undefined,
  resource = 'Record',
  id?: string,
): void {
  if (dealershipId === undefined || !canAccessDealership(principal, dealershipId)) {
    throw new AppError(
      ErrorCode.RECORD_NOT_FOUND,
      `${resource} not found.`,
      id === undefined ? {} : { id },
    );
  }
}

/**
 * The dealership a list query may read: admins choose (or see all with undefined); everyone
 * else always gets their own, whatever they asked for.
 */
export function dealershipFilter(
  principal: PrincipalClaims,
  requested: string | undefined,
): string | undefined {
  return principal.role === 'admin' ? requested : principal.dealershipId;
}

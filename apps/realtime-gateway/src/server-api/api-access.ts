import {
  ALL_DEALERSHIPS,
  type PrincipalClaims,
  type ServiceScopeName,
  hasScope,
} from '@switchboard/auth';
import { parseRoom } from '@switchboard/events';
import type { RoomDecision } from '../rooms/room-acl.js';

/** What a caller wants to do on the server API; each maps to one service scope. */
export type ApiOperation = ServiceScopeName;

/**
 * Where a server-API operation on a room may go: the dealership whose copy of the room is meant
 * (`scope`), or why not. Pure, so the whole role x scope x tenant table is tested without HTTP.
 *
 * - service: needs the operation's scope; a dealership-bound token acts only in its dealership
 *   (a `dealershipId` naming another is refused), an all-dealership token names the dealership
 *   per request; only an all-dealership token may publish to `global`; never the `admin` room.
 * - admin: everything, in the dealership it names (its own by default).
 * - user / agent: never publish or disconnect; history and presence by the subscribe ACL
 *   (`subscribeDecision`, which the caller supplies for them).
 * Sandbox rooms of a dealership-bound caller are checked against the sandbox's owner by the caller
 * (`check-sandbox`), as for subscribe.
 */
export function decideApiAccess(
  principal: PrincipalClaims,
  operation: ApiOperation,
  room: string,
  requestedDealership: string | undefined,
): RoomDecision | { kind: 'subscribe-acl' } {
  const parsed = parseRoom(room);
  if (!parsed) return { kind: 'deny', reason: 'Unknown room name.' };
  const problem = callerProblem(principal, operation);
  if (problem) return { kind: 'deny', reason: problem };
  if (principal.role === 'user' || principal.role === 'agent') return { kind: 'subscribe-acl' };
  const allDealerships = principal.role === 'admin' || principal.dealershipId === ALL_DEALERSHIPS;
  if (
    !allDealerships &&
    requestedDealership !== undefined &&
    requestedDealership !== principal.dealershipId
  )
    return { kind: 'deny', reason: "Another dealership's room." };
  const dealershipId = allDealerships
    ? (requestedDealership ?? (principal.role === 'admin' ? principal.dealershipId : undefined))
    : principal.dealershipId;
  switch (parsed.kind) {
    case 'admin':
      return principal.role === 'admin'
        ? { kind: 'allow', scope: principal.dealershipId }
        : { kind: 'deny', reason: 'The admin room is for admins only.' };
    case 'global':
      if (operation === 'publish' && !allDealerships)
        return {
          kind: 'deny',
          reason: 'Only admins and all-dealership tokens may publish to global.',
        };
      return { kind: 'allow', scope: dealershipId ?? principal.dealershipId };
    default:
      break;
  }
  if (dealershipId === undefined)
    return { kind: 'deny', reason: 'An all-dealership token must name the dealershipId.' };
  if (parsed.kind === 'dealership' && parsed.id !== dealershipId)
    return { kind: 'deny', reason: "Another dealership's room." };
  if (parsed.kind === 'sandbox' && principal.role !== 'admin' && !allDealerships)
    return { kind: 'check-sandbox', sandboxId: parsed.id! };
  return { kind: 'allow', scope: dealershipId };
}

/**
 * What may be decided before any room is looked at (a broadcast refuses the whole request for
 * it): the role may do the operation at all, and a service token carries its scope.
 */
export function callerProblem(
  principal: PrincipalClaims,
  operation: ApiOperation,
): string | undefined {
  if (
    (principal.role === 'user' || principal.role === 'agent') &&
    (operation === 'publish' || operation === 'disconnect')
  )
    return 'Only admins and service tokens may do this.';
  if (principal.role === 'service' && !hasScope(principal, operation))
    return `The token lacks the scope "${operation}".`;
  return undefined;
}

import type { PrincipalClaims } from '@switchboard/auth';
import { parseRoom } from '@switchboard/events';

/**
 * Who may join which room, as a pure decision over the caller's claims and the room name.
 * `scope` is the dealership whose copy of the room is meant: tenant rooms are namespaced by
 * dealership (keyspace roomKey), so `project:1` of a user of A is A's project:1, never B's.
 * Sandboxes need one lookup (their owner), returned as `check-sandbox`.
 */
export type RoomDecision =
  | { kind: 'allow'; scope: string }
  | { kind: 'deny'; reason: string }
  | { kind: 'check-sandbox'; sandboxId: string };

export function decideRoomAccess(
  principal: Pick<PrincipalClaims, 'sub' | 'dealershipId' | 'role'>,
  room: string,
): RoomDecision {
  const parsed = parseRoom(room);
  if (!parsed) return { kind: 'deny', reason: 'Unknown room name.' };
  const admin = principal.role === 'admin';
  switch (parsed.kind) {
    case 'global':
      return { kind: 'allow', scope: principal.dealershipId };
    case 'admin':
      // Platform-wide (roomKey ignores the scope): flag changes of every tenant, admins only.
      return admin
        ? { kind: 'allow', scope: principal.dealershipId }
        : { kind: 'deny', reason: 'The admin room is for admins only.' };
    case 'user':
      return admin || parsed.id === principal.sub
        ? { kind: 'allow', scope: principal.dealershipId }
        : { kind: 'deny', reason: "Another user's room." };
    case 'dealership':
      return admin || parsed.id === principal.dealershipId
        ? { kind: 'allow', scope: parsed.id! }
        : { kind: 'deny', reason: "Another dealership's room." };
    case 'sandbox':
      return { kind: 'check-sandbox', sandboxId: parsed.id! };
    case 'project':
    case 'agent':
      return { kind: 'allow', scope: principal.dealershipId };
  }
}

/** The sandbox half: allowed when the sandbox's owner is the caller's dealership (admins: any). */
export function decideSandboxAccess(
  principal: Pick<PrincipalClaims, 'dealershipId' | 'role'>,
  owner: string | null | undefined,
): RoomDecision {
  if (!owner) return { kind: 'deny', reason: 'Unknown sandbox.' };
  if (principal.role !== 'admin' && owner !== principal.dealershipId)
    return { kind: 'deny', reason: 'Unknown sandbox.' };
  return { kind: 'allow', scope: owner };
}

import type { PrincipalClaims } from '@switchboard/auth';
import { type Keyspace, sandboxOwner } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { type RoomDecision, decideRoomAccess, decideSandboxAccess } from './room-acl.js';

/** decideRoomAccess plus the one Redis read a sandbox room needs (who owns the sandbox). */
export async function resolveRoomAccess(
  redis: RedisClient,
  ks: Keyspace,
  principal: PrincipalClaims,
  room: string,
): Promise<RoomDecision> {
  const decision = decideRoomAccess(principal, room);
  if (decision.kind !== 'check-sandbox') return decision;
  const owner = await sandboxOwner(redis, ks, decision.sandboxId);
  return decideSandboxAccess(principal, owner);
}

import type { PrincipalClaims } from '@switchboard/auth';
import { AppError, ErrorCode } from '@switchboard/errors';
import { type Keyspace, sandboxOwner } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import { decideSandboxAccess } from '../rooms/room-acl.js';
import { resolveRoomAccess } from '../rooms/room-access.js';
import { type ApiOperation, decideApiAccess } from './api-access.js';

/**
 * The dealership whose copy of `room` the caller acts on, after every check (scope, tenant,
 * the sandbox's owner, the subscribe ACL for users and agents); 403 FORBIDDEN otherwise.
 */
export async function resolveApiAccess(
  redis: RedisClient,
  ks: Keyspace,
  principal: PrincipalClaims,
  operation: ApiOperation,
  room: string,
  requestedDealership?: string,
): Promise<string> {
  let decision = decideApiAccess(principal, operation, room, requestedDealership);
  if (decision.kind === 'subscribe-acl')
    decision = await resolveRoomAccess(redis, ks, principal, room);
  if (decision.kind === 'check-sandbox')
    decision = decideSandboxAccess(principal, await sandboxOwner(redis, ks, decision.sandboxId));
  if (decision.kind !== 'allow')
    throw new AppError(
      ErrorCode.FORBIDDEN,
      decision.kind === 'deny' ? decision.reason : 'Not allowed.',
      {
        room,
      },
    );
  return decision.scope;
}

import { type SuccessEnvelope, ok } from '@switchboard/errors';
import type { Actor, Flag, FlagCommands, WriteResult } from '@switchboard/flags';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { expectedVersionOf } from '../../http/expected-version.js';
import { storeCall } from '../../http/store-errors.js';

/** Who made a change and why, and the version it was made from (optimistic concurrency). */
export interface ChangeMeta {
  actor: Actor;
  reason?: string;
  expectedVersion?: number;
}

export interface ChangeRequest {
  /** `version` of the body (the version the change was made from), or nothing to rely on If-Match alone. */
  version?: number | undefined;
  reason?: string | undefined;
}

export const actorOf = (request: FastifyRequest): Actor => ({
  id: request.principal.sub,
  dealershipId: request.principal.dealershipId,
});

function ifMatchOf(request: FastifyRequest): string | undefined {
  const header = request.headers['if-match'];
  return Array.isArray(header) ? header[0] : header;
}

/**
 * What every admin change of an existing flag does: the version it was made from (body or
 * If-Match), the actor and reason, the write through `app.flags.change` (applied locally and
 * announced), store refusals as SPEC errors, and the new version as the ETag of the answer.
 */
export async function changeFlag(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  change: ChangeRequest,
  run: (commands: FlagCommands, meta: ChangeMeta) => Promise<WriteResult>,
): Promise<SuccessEnvelope<Flag>> {
  const expectedVersion = expectedVersionOf(change.version, ifMatchOf(request));
  const meta: ChangeMeta = {
    actor: actorOf(request),
    ...(change.reason ? { reason: change.reason } : {}),
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  };
  const { flag } = await storeCall(() => app.flags.change((commands) => run(commands, meta)));
  // A reply is thenable (it resolves once sent); setting its status or headers leaves nothing to await.
  void reply.header('etag', `"${flag.version}"`);
  return ok(flag);
}

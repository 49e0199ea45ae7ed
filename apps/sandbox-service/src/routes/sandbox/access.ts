import { assertTenantAccess } from '@switchboard/auth';
import { AppError, ErrorCode } from '@switchboard/errors';
import { FLAGS } from '@switchboard/flags';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxRecord } from '../../domain/sandbox-store.js';

/**
 * The sandbox a request addresses, or 404 whether it is missing or another tenant's. Loading a
 * sandbox by id is "activity" (see auto-pause-policy.ts), so it refreshes lastActivityAt.
 */
export async function loadSandbox(
  app: FastifyInstance,
  request: FastifyRequest,
  id: string,
  options: { touch?: boolean } = {},
): Promise<SandboxRecord> {
  const { sandboxes } = app.sandbox;
  if (options.touch === false) {
    const sandbox = await sandboxes.get(id);
    assertTenantAccess(request.principal, sandbox?.dealershipId, 'Sandbox', id);
    return sandbox!;
  }
  // Read and touch in one round trip; the script touches only the caller's own dealership's
  // sandbox, so a foreign id leaves no trace before the 404 below.
  const now = Date.now();
  const { sandbox, touched } = await sandboxes.getAndTouch(id, request.principal.dealershipId, now);
  assertTenantAccess(request.principal, sandbox?.dealershipId, 'Sandbox', id);
  // Another dealership's sandbox the caller may still reach (an admin's): touched separately.
  if (!touched && sandbox!.state !== 'terminated' && (await sandboxes.touch(id, now)))
    return { ...sandbox!, lastActivityAt: now };
  return sandbox!;
}

/** onRequest (before the body is read or validated): pause/resume/bulk/history/settings answer 404 FEATURE_DISABLED while SANDBOX_PAUSE_RESUME is off. */
export function requirePauseResumeFlag(app: FastifyInstance) {
  return async (request: FastifyRequest): Promise<void> => {
    const enabled = app.flags.isEnabled(FLAGS.SANDBOX_PAUSE_RESUME, {
      targetingKey: request.principal.sub,
      userId: request.principal.sub,
      dealershipId: request.principal.dealershipId,
    });
    if (!enabled)
      throw new AppError(ErrorCode.FEATURE_DISABLED, 'Sandbox pause/resume is disabled.', {
        flag: FLAGS.SANDBOX_PAUSE_RESUME,
      });
  };
}

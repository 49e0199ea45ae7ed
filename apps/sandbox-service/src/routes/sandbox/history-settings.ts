import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, ErrorCode, ok } from '@switchboard/errors';
import { hasAutoPause } from '../../domain/auto-pause-policy.js';
import { scheduleAutoPause } from '../../runtime/queues.js';
import {
  Envelope,
  HistoryEntryView,
  PageQuery,
  SandboxParams,
  SandboxView,
  SettingsSchema,
} from '../../schemas/sandbox.js';
import { loadSandbox, requirePauseResumeFlag } from './access.js';
import { historyView, sandboxView } from './present.js';

export const historySettingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { queues, sandboxes, settings, keyspace } = app.sandbox;
  const terminatedError = (sandboxId: string) =>
    new AppError(
      ErrorCode.INVALID_STATE_TRANSITION,
      'A terminated sandbox has no settings to change.',
      {
        sandboxId,
        from: 'terminated',
        to: 'terminated',
      },
    );

  /** Takes the sandbox's settings lock, or refuses with 409 while another change holds it. */
  async function settingsLock(sandboxId: string): Promise<{ release(): Promise<void> }> {
    const key = keyspace.sandbox.settingsLock(sandboxId);
    const token = randomUUID();
    // The TTL only matters for a process that dies holding it; a change takes milliseconds.
    if ((await app.redis.set(key, token, 'PX', 10_000, 'NX')) !== 'OK') {
      throw new AppError(
        ErrorCode.INVALID_STATE_TRANSITION,
        'Another settings change of this sandbox is in progress; retry.',
        { sandboxId, reason: 'concurrent-change' },
      );
    }
    return {
      release: async () => {
        if ((await app.redis.get(key)) === token) await app.redis.del(key);
      },
    };
  }
  const gate = requirePauseResumeFlag(app);

  app.get(
    '/:id/pause-history',
    {
      onRequest: [app.authenticate, gate],
      schema: {
        tags: ['sandbox'],
        summary: 'Audit log of state changes, newest first',
        params: SandboxParams,
        querystring: PageQuery,
        response: {
          200: Envelope(
            Type.Object({
              items: Type.Array(HistoryEntryView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async (request) => {
      await loadSandbox(app, request, request.params.id);
      const page = await sandboxes.history(request.params.id, {
        limit: request.query.limit,
        cursor: request.query.cursor,
      });
      return ok({ items: page.entries.map(historyView), nextCursor: page.nextCursor });
    },
  );

  app.put(
    '/:id/pause-settings',
    {
      onRequest: [app.authenticate, gate],
      preHandler: app.idempotent,
      schema: {
        tags: ['sandbox'],
        summary: 'Set the auto-pause policies (null or absent = off)',
        params: SandboxParams,
        body: SettingsSchema,
        response: { 200: Envelope(SandboxView) },
      },
    },
    async (request) => {
      const sandbox = await loadSandbox(app, request, request.params.id);
      if (sandbox.state === 'terminated') throw terminatedError(sandbox.id);
      await app.sandboxMetrics.observe('settings', async () => {
        // One change at a time per sandbox: an "on" and an "off" interleaved could leave the
        // schedule on with its quota slot released (a slot the tenant then spends again).
        const lock = await settingsLock(sandbox.id);
        try {
          const autoPause = hasAutoPause(request.body.autoPause);
          // A schedule takes a slot of the dealership's auto-pause quota before it exists; turning it off frees the slot.
          if (autoPause) {
            await app.sandboxQuotas.admit('auto-pause-schedules', sandbox.dealershipId, sandbox.id);
            // A terminate that landed since the read above already released its slots.
            if ((await sandboxes.get(sandbox.id))?.state === 'terminated') {
              await app.sandboxQuotas.release(
                'auto-pause-schedules',
                sandbox.dealershipId,
                sandbox.id,
              );
              throw terminatedError(sandbox.id);
            }
          }
          await sandboxes.updateSettings(sandbox.id, {
            ...request.body,
            network: request.body.network ?? sandbox.settings.network,
          });
          await scheduleAutoPause(
            queues,
            sandbox.id,
            settings.AUTO_PAUSE_CHECK_INTERVAL_MS,
            autoPause,
          );
          if (!autoPause)
            await app.sandboxQuotas.release(
              'auto-pause-schedules',
              sandbox.dealershipId,
              sandbox.id,
            );
        } finally {
          await lock.release();
        }
      });
      return ok(sandboxView((await sandboxes.get(sandbox.id))!));
    },
  );
};

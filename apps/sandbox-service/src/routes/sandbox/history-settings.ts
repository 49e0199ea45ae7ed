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
  const { queues, sandboxes, settings } = app.sandbox;
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
      if (sandbox.state === 'terminated') {
        throw new AppError(
          ErrorCode.INVALID_STATE_TRANSITION,
          'A terminated sandbox has no settings to change.',
          { sandboxId: sandbox.id, from: 'terminated', to: 'terminated' },
        );
      }
      await app.sandboxMetrics.observe('settings', async () => {
        const autoPause = hasAutoPause(request.body.autoPause);
        // A schedule takes a slot of the dealership's auto-pause quota before it exists; turning it off frees the slot.
        if (autoPause)
          await app.sandboxQuotas.admit('auto-pause-schedules', sandbox.dealershipId, sandbox.id);
        await sandboxes.updateSettings(sandbox.id, request.body);
        await scheduleAutoPause(
          queues,
          sandbox.id,
          settings.AUTO_PAUSE_CHECK_INTERVAL_MS,
          autoPause,
        );
        if (!autoPause)
          await app.sandboxQuotas.release('auto-pause-schedules', sandbox.dealershipId, sandbox.id);
      });
      return ok(sandboxView((await sandboxes.get(sandbox.id))!));
    },
  );
};

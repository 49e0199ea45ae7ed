import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '@switchboard/errors';
import { outcomeError } from '../../runtime/sandbox-operations.js';
import { Envelope, PauseBody, SandboxParams, SandboxView } from '../../schemas/sandbox.js';
import { loadSandbox, requirePauseResumeFlag } from './access.js';
import { sandboxView } from './present.js';

export const pauseResumeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations } = app.sandbox;
  const gate = requirePauseResumeFlag(app);

  app.post(
    '/pause/:id',
    {
      onRequest: [app.authenticate, gate],
      preHandler: app.idempotent,
      schema: {
        tags: ['sandbox'],
        summary: 'Pause a sandbox: freezes its running executions',
        params: SandboxParams,
        body: Type.Optional(PauseBody),
        response: { 200: Envelope(SandboxView) },
      },
    },
    async (request) => {
      // An unknown or foreign id is counted too (RECORD_NOT_FOUND), like a refused transition.
      const sandbox = await app.sandboxMetrics.observe('pause', async () => {
        const found = await loadSandbox(app, request, request.params.id);
        const outcome = await operations.act(found, 'pause', {
          actor: request.principal.sub,
          source: 'api',
          reason: request.body?.reason,
        });
        if (outcome.kind !== 'ok') throw outcomeError(outcome, found.id);
        return outcome.sandbox;
      });
      // The state this request's own transition produced: a re-read could show a later one.
      return ok(sandboxView(sandbox));
    },
  );

  app.post(
    '/resume/:id',
    {
      onRequest: [app.authenticate, gate],
      preHandler: app.idempotent,
      schema: {
        tags: ['sandbox'],
        summary: 'Resume a paused sandbox: thaws its executions',
        params: SandboxParams,
        body: Type.Optional(PauseBody),
        response: { 200: Envelope(SandboxView) },
      },
    },
    async (request) => {
      // An unknown or foreign id is counted too (RECORD_NOT_FOUND), like a refused transition.
      const sandbox = await app.sandboxMetrics.observe('resume', async () => {
        const found = await loadSandbox(app, request, request.params.id);
        const outcome = await operations.act(found, 'resume', {
          actor: request.principal.sub,
          source: 'api',
          reason: request.body?.reason,
        });
        if (outcome.kind !== 'ok') throw outcomeError(outcome, found.id);
        return outcome.sandbox;
      });
      // The state this request's own transition produced: a re-read could show a later one.
      return ok(sandboxView(sandbox));
    },
  );
};

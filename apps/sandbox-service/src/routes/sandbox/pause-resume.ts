import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '@switchboard/errors';
import { outcomeError } from '../../runtime/sandbox-operations.js';
import { Envelope, PauseBody, SandboxParams, SandboxView } from '../../schemas/sandbox.js';
import { loadSandbox, requirePauseResumeFlag } from './access.js';
import { sandboxView } from './present.js';

export const pauseResumeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations, sandboxes } = app.sandbox;
  const gate = requirePauseResumeFlag(app);

  app.post(
    '/pause/:id',
    {
      onRequest: [app.authenticate, gate], preHandler: app.idempotent,
      schema: { tags: ['sandbox'], summary: 'Pause a sandbox: freezes its running executions', params: SandboxParams, body: Type.Optional(PauseBody), response: { 200: Envelope(SandboxView) } },
    },
    async (request) => {
      const sandbox = await loadSandbox(app, request, request.params.id);
      await app.sandboxMetrics.observe('pause', async () => {
        const outcome = await operations.act(sandbox, 'pause', { actor: request.principal.sub, source: 'api', reason: request.body?.reason });
        if (outcome.kind !== 'ok') throw outcomeError(outcome, sandbox.id);
      });
      return ok(sandboxView((await sandboxes.get(sandbox.id))!));
    },
  );

  app.post(
    '/resume/:id',
    {
      onRequest: [app.authenticate, gate], preHandler: app.idempotent,
      schema: { tags: ['sandbox'], summary: 'Resume a paused sandbox: thaws its executions', params: SandboxParams, body: Type.Optional(PauseBody), response: { 200: Envelope(SandboxView) } },
    },
    async (request) => {
      const sandbox = await loadSandbox(app, request, request.params.id);
      await app.sandboxMetrics.observe('resume', async () => {
        const outcome = await operations.act(sandbox, 'resume', { actor: request.principal.sub, source: 'api', reason: request.body?.reason });
        if (outcome.kind !== 'ok') throw outcomeError(outcome, sandbox.id);
      });
      return ok(sandboxView((await sandboxes.get(sandbox.id))!));
    },
  );
};

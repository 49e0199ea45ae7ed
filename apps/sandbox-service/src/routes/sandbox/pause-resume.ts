import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '@switchboard/errors';
import { outcomeError } from '../../runtime/sandbox-operations.js';
import { Envelope, PauseBody, SandboxParams, SandboxView } from '../../schemas/sandbox.js';
import { loadSandbox, requirePauseResumeFlag } from './access.js';
import { sandboxView } from './present.js';

/** The two API transitions; each route differs only by its action and its OpenAPI summary. */
const TRANSITIONS = [
  { action: 'pause', summary: 'Pause a sandbox: freezes its running executions' },
  { action: 'resume', summary: 'Resume a paused sandbox: thaws its executions' },
] as const;

export const pauseResumeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations } = app.sandbox;
  const gate = requirePauseResumeFlag(app);

  for (const { action, summary } of TRANSITIONS) {
    app.post(
      `/${action}/:id`,
      {
        onRequest: [app.authenticate, gate],
        preHandler: app.idempotent,
        schema: {
          tags: ['sandbox'],
          summary,
          params: SandboxParams,
          body: Type.Optional(PauseBody),
          response: { 200: Envelope(SandboxView) },
        },
      },
      async (request) => {
        // An unknown or foreign id is counted too (RECORD_NOT_FOUND), like a refused transition.
        const sandbox = await app.sandboxMetrics.observe(action, async () => {
          const found = await loadSandbox(app, request, request.params.id);
          const outcome = await operations.act(found, action, {
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
  }
};

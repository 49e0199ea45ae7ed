import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '@switchboard/errors';
import { outcomeError } from '../../runtime/sandbox-operations.js';
import { Envelope, SandboxParams, SandboxView, StatusView } from '../../schemas/sandbox.js';
import { loadSandbox } from './access.js';
import { sandboxView } from './present.js';

export const statusTerminateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { driver, operations, sandboxes } = app.sandbox;

  app.get(
    '/:id/status',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['sandbox'],
        summary: 'State, pause details, activity and resource usage',
        params: SandboxParams,
        response: { 200: Envelope(StatusView) },
      },
    },
    async (request) => {
      // loadSandbox's record already carries this request's activity: no second read.
      const sandbox = await loadSandbox(app, request, request.params.id);
      // A terminated sandbox runs nothing: no need to look at (or wait for) the shared sample.
      const usage =
        sandbox.state === 'terminated'
          ? { processes: 0, rssBytes: 0, cpuSeconds: 0, sampledAt: new Date().toISOString() }
          : await driver.usage(sandbox.id);
      return ok({ ...sandboxView(sandbox), usage });
    },
  );

  app.delete(
    '/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['sandbox'],
        summary: 'Terminate a sandbox (kills its processes, removes its files)',
        params: SandboxParams,
        response: { 200: Envelope(SandboxView) },
      },
    },
    async (request) => {
      const sandbox = await loadSandbox(app, request, request.params.id, { touch: false });
      await app.sandboxMetrics.observe('terminate', async () => {
        const outcome = await operations.act(sandbox, 'terminate', {
          actor: request.principal.sub,
          source: 'api',
        });
        const releaseQuotas = () =>
          Promise.all([
            app.sandboxQuotas.release('sandboxes', sandbox.dealershipId, sandbox.id),
            app.sandboxQuotas.release('auto-pause-schedules', sandbox.dealershipId, sandbox.id),
          ]);
        if (outcome.kind === 'denied' && outcome.from === 'terminated') {
          // A terminate that committed but failed after (timeout, driver error) is retried as
          // this one: finish what it left, so its quota slots and files are not kept for good.
          await releaseQuotas();
          await driver.destroy(sandbox.id);
        }
        if (outcome.kind !== 'ok') throw outcomeError(outcome, sandbox.id);
        // A terminated sandbox counts against no quota (releasing twice is harmless).
        await releaseQuotas();
      });
      return ok(sandboxView((await sandboxes.get(sandbox.id))!));
    },
  );
};

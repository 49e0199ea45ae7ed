import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, ErrorCode, ok } from '@switchboard/errors';
import { injectTraceContext } from '@switchboard/observability';
import type { ExecutionRecord } from '../../domain/execution-store.js';
import {
  ExecuteBody,
  ExecuteQuery,
  ExecutionParams,
  ExecutionView,
} from '../../schemas/execution.js';
import { Envelope, ErrorRef, SandboxParams } from '../../schemas/sandbox.js';
import { loadSandbox } from './access.js';
import { executionView } from './present.js';

const finished = (execution: ExecutionRecord | undefined) =>
  execution?.state === 'completed' || execution?.state === 'failed';

export const executionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { executions, queues, settings, tools } = app.sandbox;

  async function waitForResult(
    sandboxId: string,
    executionId: string,
    seconds: number,
  ): Promise<ExecutionRecord | undefined> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const execution = await executions.get(sandboxId, executionId);
      if (finished(execution) || Date.now() >= deadline) return execution;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(100, Math.max(1, deadline - Date.now()))),
      );
    }
  }

  app.post(
    '/:id/tools/execute',
    {
      onRequest: app.authenticate,
      preHandler: app.idempotent,
      schema: {
        tags: ['executions'],
        summary: 'Run a tool in the sandbox (423 while paused)',
        params: SandboxParams,
        querystring: ExecuteQuery,
        body: ExecuteBody,
        response: {
          200: Envelope(ExecutionView),
          202: Envelope(Type.Object({ executionId: Type.String(), state: Type.String() })),
          423: ErrorRef(
            'RESOURCE_LOCKED: the sandbox is paused (details: sandboxId, state, pausedAt, pauseReason)',
          ),
        },
      },
    },
    async (request, reply) => {
      // Observed as a whole: a refusal (423 while paused, 404, 409, bad input) is counted by its
      // code in sandbox_operations_total{operation="execute"}, not only the accepted calls.
      const execution = await app.sandboxMetrics.observe('execute', async () => {
        const sandbox = await loadSandbox(app, request, request.params.id);
        if (sandbox.state === 'paused') {
          throw new AppError(
            ErrorCode.RESOURCE_LOCKED,
            'Sandbox is paused. Resume the sandbox to execute tools.',
            {
              sandboxId: sandbox.id,
              state: sandbox.state,
              pausedAt:
                sandbox.pausedAt === undefined ? null : new Date(sandbox.pausedAt).toISOString(),
              pauseReason: sandbox.pauseReason ?? null,
            },
          );
        }
        if (sandbox.state !== 'active') {
          throw new AppError(
            ErrorCode.INVALID_STATE_TRANSITION,
            `A sandbox in state ${sandbox.state} cannot run tools.`,
            { sandboxId: sandbox.id, from: sandbox.state, to: 'active' },
          );
        }
        const timeoutMs = request.body.timeoutMs ?? settings.EXECUTION_DEFAULT_TIMEOUT_MS;
        if (timeoutMs > settings.EXECUTION_MAX_TIMEOUT_MS) {
          throw new AppError(
            ErrorCode.VALIDATION_ERROR,
            `timeoutMs must be at most ${settings.EXECUTION_MAX_TIMEOUT_MS}.`,
            {
              location: 'body',
              fields: [
                { path: '/timeoutMs', message: `must be <= ${settings.EXECUTION_MAX_TIMEOUT_MS}` },
              ],
            },
          );
        }
        tools.check(request.body.tool, request.body.input);
        const created = await executions.create({
          sandboxId: sandbox.id,
          dealershipId: sandbox.dealershipId,
          tool: request.body.tool,
          input: request.body.input,
          timeoutMs,
          actor: request.principal.sub,
        });
        // jobId = executionId: a duplicate add can never run an execution twice.
        await queues.executions.add(
          'execute',
          { executionId: created.id, sandboxId: sandbox.id, trace: injectTraceContext() },
          { jobId: created.id },
        );
        return created;
      });
      if (request.query.wait) {
        const result = await waitForResult(execution.sandboxId, execution.id, request.query.wait);
        if (result && finished(result)) return reply.code(200).send(ok(executionView(result)));
        return reply
          .code(202)
          .send(ok({ executionId: execution.id, state: result?.state ?? 'queued' }));
      }
      return reply.code(202).send(ok({ executionId: execution.id, state: 'queued' }));
    },
  );

  app.get(
    '/:id/executions/:executionId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['executions'],
        summary: 'State, output and timings of one execution',
        params: ExecutionParams,
        response: { 200: Envelope(ExecutionView) },
      },
    },
    async (request) => {
      await loadSandbox(app, request, request.params.id);
      const execution = await executions.get(request.params.id, request.params.executionId);
      if (!execution || execution.sandboxId !== request.params.id) {
        throw new AppError(ErrorCode.RECORD_NOT_FOUND, 'Execution not found.', {
          id: request.params.executionId,
        });
      }
      return ok(executionView(execution));
    },
  );
};

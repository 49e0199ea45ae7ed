import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode } from '@switchboard/errors';
import type { FastifyRequest } from 'fastify';
import { Envelope } from '../../schemas/sandbox.js';
import {
  CompleteBody,
  DelegateBody,
  FailBody,
  IfMatchHeaders,
  ReasonBody,
  TaskParams,
  TaskView,
} from '../../schemas/task.js';
import type { TaskOutcome } from '../../tasks/task-store.js';
import { taskOutcomeError } from '../../tasks/task-operations.js';
import type { TaskRecord } from '../../tasks/task-record.js';
import { assertBounded, ifMatchVersion, loadTask, sendTask } from './access.js';

const schema = <B>(summary: string, body: B) => ({
  tags: ['tasks'],
  summary,
  params: TaskParams,
  headers: IfMatchHeaders,
  body,
  response: { 200: Envelope(TaskView) },
});

/** The assignee's actions (accept, reject, delegate, complete, fail) and cancel (creator or admin). */
export const taskActionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations, settings } = app.taskRuntime;
  const route = { onRequest: app.authenticate, preHandler: app.idempotent };

  const done = (outcome: TaskOutcome, id: string): TaskRecord => {
    if (outcome.kind !== 'ok') throw taskOutcomeError(outcome, id);
    return outcome.task;
  };
  const common = (request: FastifyRequest) => {
    const header = request.headers['if-match'];
    return {
      actor: request.principal.sub,
      expectedVersion: ifMatchVersion(Array.isArray(header) ? header[0] : header),
    };
  };

  for (const action of ['accept', 'reject'] as const)
    app.post(
      `/:id/${action}`,
      { ...route, schema: schema(`The assignee ${action}s the task`, ReasonBody) },
      async (request, reply) => {
        const task = await loadTask(app, request, request.params.id);
        const outcome = await operations.act(task, action, {
          ...common(request),
          asAssignee: true,
          reason: request.body?.reason,
        });
        return sendTask(reply, done(outcome, task.id));
      },
    );

  app.post(
    '/:id/complete',
    { ...route, schema: schema('The assignee completes the task with its result', CompleteBody) },
    async (request, reply) => {
      assertBounded(request.body.result, settings.TASK_MAX_BYTES, 'result');
      const task = await loadTask(app, request, request.params.id);
      const outcome = await operations.act(task, 'complete', {
        ...common(request),
        asAssignee: true,
        result: request.body.result ?? null,
      });
      return sendTask(reply, done(outcome, task.id));
    },
  );

  app.post(
    '/:id/fail',
    {
      ...route,
      schema: schema(
        'The assignee fails the task; retryable failures are retried with backoff up to TASK_MAX_ATTEMPTS',
        FailBody,
      ),
    },
    async (request, reply) => {
      assertBounded(request.body.error, settings.TASK_MAX_BYTES, 'error');
      const task = await loadTask(app, request, request.params.id);
      const outcome = await operations.act(task, 'fail', {
        ...common(request),
        asAssignee: true,
        error: request.body.error ?? null,
        retryable: request.body.retryable,
      });
      return sendTask(reply, done(outcome, task.id));
    },
  );

  app.post(
    '/:id/delegate',
    {
      ...route,
      schema: schema('The assignee hands an accepted task to another agent', DelegateBody),
    },
    async (request, reply) => {
      const task = await loadTask(app, request, request.params.id);
      const outcome = await operations.delegate(task, {
        ...common(request),
        toAgentId: request.body.toAgentId,
        capability: request.body.capability,
        reason: request.body.reason,
      });
      return sendTask(reply, done(outcome, task.id));
    },
  );

  app.post(
    '/:id/cancel',
    { ...route, schema: schema('The creator or an admin cancels an open task', ReasonBody) },
    async (request, reply) => {
      const task = await loadTask(app, request, request.params.id);
      const { principal } = request;
      if (principal.role !== 'admin' && principal.sub !== task.createdBy)
        throw new AppError(
          ErrorCode.FORBIDDEN,
          'Only the task’s creator or an admin may cancel it.',
          {
            taskId: task.id,
          },
        );
      const outcome = await operations.act(task, 'cancel', {
        ...common(request),
        asAssignee: false,
        reason: request.body?.reason,
      });
      return sendTask(reply, done(outcome, task.id));
    },
  );
};

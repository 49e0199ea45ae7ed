import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, ErrorCode, ok } from '@switchboard/errors';
import { Envelope } from '../../schemas/sandbox.js';
import { CreateTaskBody, TaskListQuery, TaskView } from '../../schemas/task.js';
import { taskView } from '../../tasks/task-view.js';
import { assertBounded, sendTask } from './access.js';

export const taskCreateListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations, tasks, settings } = app.taskRuntime;

  app.post(
    '/',
    {
      onRequest: app.authenticate,
      preHandler: app.idempotent,
      schema: {
        tags: ['tasks'],
        summary: 'Create a task; it is assigned to a free agent with the capability, or waits',
        body: CreateTaskBody,
        response: { 201: Envelope(TaskView) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      assertBounded(body.input, settings.TASK_MAX_BYTES, 'input');
      const deadline = body.deadline === undefined ? undefined : Date.parse(body.deadline);
      if (deadline !== undefined && deadline <= Date.now())
        throw new AppError(ErrorCode.VALIDATION_ERROR, 'The deadline has passed.', {
          location: 'body',
          fields: [{ path: '/deadline', message: 'must be in the future' }],
        });
      const task = await operations.create({
        dealershipId: request.principal.dealershipId,
        actor: request.principal.sub,
        title: body.title,
        capability: body.capability,
        input: body.input ?? null,
        projectId: body.projectId,
        priority: body.priority ?? 0,
        assignTo: body.assignTo,
        acceptTimeoutMs: body.acceptTimeoutMs ?? settings.TASK_ACCEPT_TIMEOUT_MS,
        deadline,
      });
      return reply.code(201).send(sendTask(reply, task));
    },
  );

  app.get(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['tasks'],
        summary:
          "List the caller's dealership's tasks, newest first, by state, assignee, capability or project",
        querystring: TaskListQuery,
        response: {
          200: Envelope(
            Type.Object({
              items: Type.Array(TaskView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async (request) => {
      const page = await tasks.list({
        dealershipId: request.principal.dealershipId,
        ...request.query,
      });
      return ok({ items: page.items.map(taskView), nextCursor: page.nextCursor });
    },
  );
};

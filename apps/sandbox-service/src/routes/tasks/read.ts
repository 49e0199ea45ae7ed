import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '@switchboard/errors';
import { Envelope } from '../../schemas/sandbox.js';
import { HistoryEntryView, TaskParams, TaskView } from '../../schemas/task.js';
import { loadTask, sendTask } from './access.js';

export const taskReadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['tasks'],
        summary: 'One task (ETag: its version)',
        params: TaskParams,
        response: { 200: Envelope(TaskView) },
      },
    },
    async (request, reply) => sendTask(reply, await loadTask(app, request, request.params.id)),
  );

  app.get(
    '/:id/history',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['tasks'],
        summary:
          'Every transition of a task, oldest first, and the agents it was delegated through',
        params: TaskParams,
        response: {
          200: Envelope(
            Type.Object({
              entries: Type.Array(HistoryEntryView),
              delegationChain: Type.Array(Type.String(), {
                description: 'the agents the task went through by delegation, first holder first',
              }),
            }),
          ),
        },
      },
    },
    async (request) => {
      const task = await loadTask(app, request, request.params.id);
      const entries = await app.taskRuntime.tasks.history(task.id);
      const chain: string[] = [];
      for (const entry of entries)
        if (entry.action === 'delegate' && entry.delegatedFrom && entry.agentId) {
          if (chain.length === 0) chain.push(entry.delegatedFrom);
          chain.push(entry.agentId);
        }
      return ok({
        entries: entries.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
        delegationChain: chain,
      });
    },
  );
};

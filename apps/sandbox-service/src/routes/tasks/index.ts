import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { taskActionRoutes } from './actions.js';
import { taskCreateListRoutes } from './create-list.js';
import { taskReadRoutes } from './read.js';

/** Every `/api/tasks` route (docs/api/tasks.md). */
export const taskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(taskCreateListRoutes);
  await app.register(taskReadRoutes);
  await app.register(taskActionRoutes);
};

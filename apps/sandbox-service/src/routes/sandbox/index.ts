import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bulkRoutes } from './bulk.js';
import { createListRoutes } from './create-list.js';
import { executionRoutes } from './executions.js';
import { historySettingsRoutes } from './history-settings.js';
import { pauseResumeRoutes } from './pause-resume.js';
import { statusTerminateRoutes } from './status-terminate.js';

/** Every `/api/sandbox` route (SPEC.md, sandbox-service). */
export const sandboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(createListRoutes);
  await app.register(statusTerminateRoutes);
  await app.register(pauseResumeRoutes);
  await app.register(bulkRoutes);
  await app.register(executionRoutes);
  await app.register(historySettingsRoutes);
};

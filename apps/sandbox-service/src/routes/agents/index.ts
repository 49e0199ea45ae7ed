import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, ErrorCode, ok } from '@switchboard/errors';
import { Envelope } from '../../schemas/sandbox.js';
import { AgentBody, AgentListQuery, AgentParams, AgentView } from '../../schemas/task.js';
import type { AgentState } from '../../tasks/agent-registry.js';

const agentView = (agent: AgentState) => ({
  agentId: agent.agentId,
  dealershipId: agent.dealershipId,
  capabilities: agent.capabilities,
  maxConcurrent: agent.maxConcurrent,
  labels: agent.labels,
  status: agent.status,
  activeTasks: agent.activeTasks,
  assignedTasks: agent.load,
  updatedAt: new Date(agent.updatedAt).toISOString(),
});

/** Every `/api/agents` route: registration and the registry, with derived status. */
export const agentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { agents, operations, settings } = app.taskRuntime;

  app.put(
    '/:agentId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['agents'],
        summary: 'An agent registers or updates itself (admins: any agent of their dealership)',
        params: AgentParams,
        body: AgentBody,
        response: { 200: Envelope(AgentView), 201: Envelope(AgentView) },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      const { agentId } = request.params;
      const self = principal.role === 'agent' && principal.sub === agentId;
      if (!self && principal.role !== 'admin')
        throw new AppError(
          ErrorCode.FORBIDDEN,
          'Only the agent itself or an admin may register it.',
          {
            agentId,
          },
        );
      const body = request.body;
      const fields: Array<{ path: string; message: string }> = [];
      if (body.maxConcurrent > settings.AGENT_MAX_CONCURRENT)
        fields.push({
          path: '/maxConcurrent',
          message: `must be at most ${settings.AGENT_MAX_CONCURRENT}`,
        });
      if (new Set(body.capabilities).size > settings.AGENT_MAX_CAPABILITIES)
        fields.push({
          path: '/capabilities',
          message: `at most ${settings.AGENT_MAX_CAPABILITIES}`,
        });
      if (fields.length > 0)
        throw new AppError(ErrorCode.VALIDATION_ERROR, 'The agent is invalid.', {
          location: 'body',
          fields,
        });
      const { created } = await agents.register({
        dealershipId: principal.dealershipId,
        agentId,
        capabilities: body.capabilities,
        maxConcurrent: body.maxConcurrent,
        labels: body.labels ?? {},
      });
      // New capabilities or capacity: waiting tasks may fit now (the sweep catches any failure).
      await operations
        .drain(principal.dealershipId, body.capabilities)
        .catch((error: Error) =>
          request.log.warn({ err: error }, 'assignment after registration failed'),
        );
      const state = (await agents.state(principal.dealershipId, agentId))!;
      return reply.code(created ? 201 : 200).send(ok(agentView(state)));
    },
  );

  app.get(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['agents'],
        summary: "The caller's dealership's agents, by capability (indexed) and status",
        querystring: AgentListQuery,
        response: {
          200: Envelope(
            Type.Object({
              items: Type.Array(AgentView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async (request) => {
      const page = await agents.list({
        dealershipId: request.principal.dealershipId,
        ...request.query,
      });
      return ok({ items: page.items.map(agentView), nextCursor: page.nextCursor });
    },
  );

  app.get(
    '/:agentId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['agents'],
        summary: 'One agent with its derived status',
        params: AgentParams,
        response: { 200: Envelope(AgentView) },
      },
    },
    async (request) => {
      const state = await agents.state(request.principal.dealershipId, request.params.agentId);
      if (!state)
        throw new AppError(ErrorCode.RECORD_NOT_FOUND, 'Agent not found.', {
          id: request.params.agentId,
        });
      return ok(agentView(state));
    },
  );
};

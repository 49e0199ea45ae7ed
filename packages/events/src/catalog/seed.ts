import { type TProperties, Type } from '@sinclair/typebox';

const Id = Type.String({ minLength: 1 });
const Any = Type.Record(Type.String(), Type.Unknown());
/** Seed payloads name the fields they need and accept more (publishers add context freely). */
const payload = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });

/** The 22 event types of the original realtime seed (project, agent, workflow, pr, issue, ai, connection). */
export const seedEvents = {
  'project.created': payload({ projectId: Id, name: Type.Optional(Type.String()) }),
  'project.updated': payload({ projectId: Id, changes: Type.Optional(Any) }),
  'project.deleted': payload({ projectId: Id }),
  'agent.status_changed': payload({
    agentId: Id,
    status: Type.String(),
    previous: Type.Optional(Type.String()),
  }),
  'agent.connected': payload({ agentId: Id }),
  'agent.error': payload({ agentId: Id, error: Type.String() }),
  'agent.disconnected': payload({ agentId: Id, reason: Type.Optional(Type.String()) }),
  'workflow.started': payload({ workflowId: Id, name: Type.Optional(Type.String()) }),
  'workflow.progress': payload({
    workflowId: Id,
    progress: Type.Number({ minimum: 0, maximum: 100 }),
    step: Type.Optional(Type.String()),
  }),
  'workflow.completed': payload({ workflowId: Id, result: Type.Optional(Type.Unknown()) }),
  'workflow.failed': payload({ workflowId: Id, error: Type.String() }),
  'pr.created': payload({ prId: Id, title: Type.Optional(Type.String()) }),
  'pr.updated': payload({ prId: Id, changes: Type.Optional(Any) }),
  'pr.closed': payload({ prId: Id, merged: Type.Optional(Type.Boolean()) }),
  'issue.created': payload({ issueId: Id, title: Type.Optional(Type.String()) }),
  'issue.updated': payload({ issueId: Id, changes: Type.Optional(Any) }),
  'issue.closed': payload({ issueId: Id }),
  'ai.suggestion': payload({ suggestionId: Id, content: Type.String() }),
  'ai.analysis_complete': payload({ analysisId: Id, summary: Type.Optional(Type.String()) }),
  'connection.established': payload({ clientId: Id, instanceId: Id }),
  'connection.reconnected': payload({
    clientId: Id,
    instanceId: Id,
    resumed: Type.Optional(Type.Boolean()),
  }),
  'connection.error': payload({ code: Type.String(), message: Type.String() }),
} as const;

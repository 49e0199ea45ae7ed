import { Type } from '@sinclair/typebox';

const Id = Type.String({ minLength: 1 });
const Any = Type.Record(Type.String(), Type.Unknown());

/** The 22 event types of the original realtime seed (project, agent, workflow, pr, issue, ai, connection). */
export const seedEvents = {
  'project.created': Type.Object(
    { projectId: Id, name: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
  'project.updated': Type.Object(
    { projectId: Id, changes: Type.Optional(Any) },
    { additionalProperties: true },
  ),
  'project.deleted': Type.Object({ projectId: Id }, { additionalProperties: true }),
  'agent.status_changed': Type.Object(
    { agentId: Id, status: Type.String(), previous: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
  'agent.connected': Type.Object({ agentId: Id }, { additionalProperties: true }),
  'agent.error': Type.Object({ agentId: Id, error: Type.String() }, { additionalProperties: true }),
  'agent.disconnected': Type.Object(
    { agentId: Id, reason: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
  'workflow.started': Type.Object(
    { workflowId: Id, name: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
  'workflow.progress': Type.Object(
    {
      workflowId: Id,
      progress: Type.Number({ minimum: 0, maximum: 100 }),
      step: Type.Optional(Type.String()),
    },
    { additionalProperties: true },
  ),
  'workflow.completed': Type.Object(
    { workflowId: Id, result: Type.Optional(Type.Unknown()) },
    { additionalProperties: true },
  ),
  'workflow.failed': Type.Object(
    { workflowId: Id, error: Type.String() },
    { additionalProperties: true },
  ),
  'pr.created': Type.Object(
    { prId: Id, title: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
  'pr.updated': Type.Object(
    { prId: Id, changes: Type.Optional(Any) },
    { additionalProperties: true },
  ),
  'pr.closed': Type.Object(
    { prId: Id, merged: Type.Optional(Type.Boolean()) },
    { additionalProperties: true },
  ),
  'issue.created': Type.Object(
    { issueId: Id, title: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
  'issue.updated': Type.Object(
    { issueId: Id, changes: Type.Optional(Any) },
    { additionalProperties: true },
  ),
  'issue.closed': Type.Object({ issueId: Id }, { additionalProperties: true }),
  'ai.suggestion': Type.Object(
    { suggestionId: Id, content: Type.String() },
    { additionalProperties: true },
  ),
  'ai.analysis_complete': Type.Object(
    { analysisId: Id, summary: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
  'connection.established': Type.Object(
    { clientId: Id, instanceId: Id },
    { additionalProperties: true },
  ),
  'connection.reconnected': Type.Object(
    { clientId: Id, instanceId: Id, resumed: Type.Optional(Type.Boolean()) },
    { additionalProperties: true },
  ),
  'connection.error': Type.Object(
    { code: Type.String(), message: Type.String() },
    { additionalProperties: true },
  ),
} as const;

import { Type } from '@sinclair/typebox';

/**
 * The task as every task event carries it (the sandbox service's TaskView). States and other
 * enumerations are plain strings so producers built before a new value existed still type-check.
 */
const TaskEventView = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    dealershipId: Type.String({ minLength: 1 }),
    title: Type.String(),
    capability: Type.String(),
    state: Type.String({
      description: 'pending | assigned | accepted | completed | failed | cancelled',
    }),
    assignee: Type.Union([Type.String(), Type.Null()]),
    createdBy: Type.String(),
    projectId: Type.Union([Type.String(), Type.Null()]),
    priority: Type.Integer(),
    version: Type.Integer(),
    input: Type.Unknown(),
    result: Type.Unknown(),
    error: Type.Unknown(),
    createdAt: Type.String({ description: 'ISO 8601 time' }),
    updatedAt: Type.String({ description: 'ISO 8601 time' }),
  },
  { additionalProperties: true },
);

const Change = {
  task: TaskEventView,
  actor: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  at: Type.String({ description: 'ISO 8601 time' }),
};

export const taskEvents = {
  'task.created': Type.Object(Change),
  'task.assigned': Type.Object(Change),
  'task.accepted': Type.Object(Change),
  'task.rejected': Type.Object({ ...Change, agentId: Type.String() }),
  'task.delegated': Type.Object({ ...Change, delegatedFrom: Type.String() }),
  'task.completed': Type.Object(Change),
  'task.failed': Type.Object({ ...Change, retrying: Type.Optional(Type.Boolean()) }),
  'task.cancelled': Type.Object(Change),
};

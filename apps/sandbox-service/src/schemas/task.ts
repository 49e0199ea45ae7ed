import { type TSchema, Type } from '@sinclair/typebox';
import { TASK_STATES } from '../tasks/task-state.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoTime = Type.String({ format: 'date-time' });

/** Agent ids are room ids (`agent:<id>`): the characters a room name allows. */
const AgentId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' });
/** Capabilities appear in keys: lower-case words, dots, colons and dashes. */
const Capability = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9_.:-]*$',
});
const ProjectId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' });
const TaskId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' });
const TaskStateSchema = Type.Union(TASK_STATES.map((state) => Type.Literal(state)));
const Reason = Type.String({ maxLength: 1000 });

export const TaskParams = Type.Object({ id: TaskId });
export const AgentParams = Type.Object({ agentId: AgentId });

export const TaskView = Type.Object({
  id: Type.String(),
  dealershipId: Type.String(),
  title: Type.String(),
  capability: Type.String(),
  state: TaskStateSchema,
  assignee: Nullable(Type.String()),
  createdBy: Type.String(),
  projectId: Nullable(Type.String()),
  priority: Type.Integer(),
  version: Type.Integer(),
  input: Type.Unknown(),
  result: Type.Unknown(),
  error: Type.Unknown(),
  attempts: Type.Integer({ description: 'failed runs so far' }),
  deadline: Nullable(IsoTime),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});

export const CreateTaskBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 500 }),
    capability: Capability,
    input: Type.Unknown({ description: 'any JSON, at most TASK_MAX_BYTES (413 beyond)' }),
    projectId: Type.Optional(ProjectId),
    priority: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 9, default: 0, description: 'higher first' }),
    ),
    assignTo: Type.Optional(AgentId),
    acceptTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 86_400_000 })),
    deadline: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);

export const TaskListQuery = Type.Object(
  {
    state: Type.Optional(TaskStateSchema),
    assignee: Type.Optional(AgentId),
    capability: Type.Optional(Capability),
    projectId: Type.Optional(ProjectId),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false },
);
export const DelegateBody = Type.Object(
  {
    toAgentId: Type.Optional(AgentId),
    capability: Type.Optional(Capability),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);
export const CompleteBody = Type.Object(
  { result: Type.Unknown({ description: 'any JSON, at most TASK_MAX_BYTES (413 beyond)' }) },
  { additionalProperties: false },
);
export const FailBody = Type.Object(
  {
    error: Type.Unknown({ description: 'any JSON, at most TASK_MAX_BYTES (413 beyond)' }),
    retryable: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ pattern: '^(W/)?"?[0-9]{1,10}"?$', description: 'the task version ("3" or 3)' }),
  ),
});

export const HistoryEntryView = Type.Object({
  seq: Type.Integer(),
  action: Type.String(),
  from: Nullable(TaskStateSchema),
  to: TaskStateSchema,
  actor: Type.String(),
  reason: Nullable(Type.String()),
  at: IsoTime,
  agentId: Type.Optional(Type.String()),
  delegatedFrom: Type.Optional(Type.String()),
});

export const AgentBody = Type.Object(
  {
    capabilities: Type.Array(Capability, { minItems: 1, maxItems: 1000 }),
    maxConcurrent: Type.Integer({ minimum: 1, maximum: 10_000 }),
    labels: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ maxLength: 256 }), {
        maxProperties: 32,
      }),
    ),
  },
  { additionalProperties: false },
);

const AgentStatusSchema = Type.Union([
  Type.Literal('online'),
  Type.Literal('busy'),
  Type.Literal('offline'),
]);
export const AgentView = Type.Object({
  agentId: Type.String(),
  dealershipId: Type.String(),
  capabilities: Type.Array(Type.String()),
  maxConcurrent: Type.Integer(),
  labels: Type.Record(Type.String(), Type.String()),
  status: AgentStatusSchema,
  activeTasks: Type.Integer({ description: 'accepted tasks' }),
  assignedTasks: Type.Integer({ description: 'tasks held, assigned or accepted' }),
  updatedAt: IsoTime,
});
export const AgentListQuery = Type.Object(
  {
    capability: Type.Optional(Capability),
    status: Type.Optional(AgentStatusSchema),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

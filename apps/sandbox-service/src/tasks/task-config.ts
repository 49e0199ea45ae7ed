import { type Static, Type } from '@sinclair/typebox';

/** Environment of agent tasks (docs/api/tasks.md), part of the sandbox service's. */
export const TaskEnv = Type.Object({
  TASK_ACCEPT_TIMEOUT_MS: Type.Integer({
    default: 30_000,
    minimum: 100,
    description:
      'default time an assigned agent has to accept before the task is offered to another',
  }),
  TASK_MAX_BYTES: Type.Integer({
    default: 262_144,
    minimum: 1024,
    description: 'largest task input, result or error, as JSON (413 beyond)',
  }),
  TASK_RETENTION_SEC: Type.Integer({
    default: 7 * 86_400,
    minimum: 60,
    description: 'how long a completed, failed or cancelled task stays readable',
  }),
  TASK_MAX_ATTEMPTS: Type.Integer({
    default: 3,
    minimum: 1,
    maximum: 100,
    description: 'runs of a task that fails retryably, the first included',
  }),
  TASK_RETRY_BASE_MS: Type.Integer({
    default: 1_000,
    minimum: 10,
    description: 'first retry delay; doubles with each further attempt',
  }),
  TASK_ASSIGN_SWEEP_MS: Type.Integer({
    default: 1_000,
    minimum: 50,
    description: 'how often waiting tasks are offered to agents that came online',
  }),
  TASK_REPAIR_AFTER_MS: Type.Integer({
    default: 5_000,
    minimum: 100,
    description:
      'a change not finished after this long (its process died) has its indexes re-derived by the sweep',
  }),
  TASK_HISTORY_MAX: Type.Integer({ default: 500, minimum: 10, maximum: 10_000 }),
  AGENT_MAX_CONCURRENT: Type.Integer({
    default: 100,
    minimum: 1,
    description: 'largest maxConcurrent an agent may register',
  }),
  AGENT_MAX_CAPABILITIES: Type.Integer({ default: 32, minimum: 1, maximum: 1000 }),
});
export type TaskSettings = Static<typeof TaskEnv>;

/**
 * The task state machine: which action leads from which states to which state. The transition
 * script (lua/task-transition-3.lua) only checks the current state against these lists, so this
 * file is the one place the lifecycle is defined.
 */
export const TASK_STATES = [
  'pending',
  'assigned',
  'accepted',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

const OPEN_STATES: readonly TaskState[] = ['pending', 'assigned', 'accepted'];

export type TaskAction =
  | 'assign'
  | 'accept'
  | 'reject'
  | 'timeout'
  | 'delegate'
  | 'complete'
  | 'fail'
  | 'retry'
  | 'cancel'
  | 'expire';

const RULES: Record<TaskAction, { from: readonly TaskState[]; to: TaskState }> = {
  assign: { from: ['pending'], to: 'assigned' },
  accept: { from: ['assigned'], to: 'accepted' },
  reject: { from: ['assigned'], to: 'pending' },
  /** The assignee did not accept in time. */
  timeout: { from: ['assigned'], to: 'pending' },
  delegate: { from: ['accepted'], to: 'assigned' },
  complete: { from: ['accepted'], to: 'completed' },
  fail: { from: ['accepted'], to: 'failed' },
  /** A retryable failure with attempts left: waits again, offered after a backoff. */
  retry: { from: ['accepted'], to: 'pending' },
  cancel: { from: OPEN_STATES, to: 'cancelled' },
  /** The deadline passed. */
  expire: { from: OPEN_STATES, to: 'failed' },
};

export const allowedFrom = (action: TaskAction): readonly TaskState[] => RULES[action].from;
export const targetOf = (action: TaskAction): TaskState => RULES[action].to;
export const isTaskState = (value: unknown): value is TaskState =>
  typeof value === 'string' && (TASK_STATES as readonly string[]).includes(value);
export const isOpen = (state: TaskState): boolean => OPEN_STATES.includes(state);
/** States an agent holds a task in: they count against its maxConcurrent. */
export const isHeld = (state: TaskState | null): boolean =>
  state === 'assigned' || state === 'accepted';

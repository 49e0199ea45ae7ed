import { type TaskState, isTaskState } from './task-state.js';

/** One task as stored (task:record:{id}); JSON fields decoded. */
export interface TaskRecord {
  id: string;
  dealershipId: string;
  title: string;
  capability: string;
  state: TaskState;
  assignee: string | null;
  createdBy: string;
  projectId: string | null;
  priority: number;
  version: number;
  input: unknown;
  result: unknown;
  error: unknown;
  createdAt: number;
  updatedAt: number;
  assignedAt: number | null;
  acceptedAt: number | null;
  finishedAt: number | null;
  /** Set when the creator named the agent: only that agent is offered the task. */
  assignTo: string | null;
  acceptTimeoutMs: number;
  deadline: number | null;
  /** Failed attempts so far (retryable failures). */
  attempts: number;
  /** A retried task is not offered before this time. */
  notBefore: number | null;
}

/** One transition of a task, as GET /api/tasks/:id/history shows it. */
export interface TaskHistoryEntry {
  seq: number;
  action: string;
  from: TaskState | null;
  to: TaskState;
  actor: string;
  reason: string | null;
  at: number;
  /** The agent the transition concerns (assigned to, rejected by, ...). */
  agentId?: string;
  /** On a delegation: the agent that handed the task on. */
  delegatedFrom?: string;
}

const num = (value: string | undefined): number | null =>
  value === undefined || value === '' ? null : Number(value);
const str = (value: string | undefined): string | null =>
  value === undefined || value === '' ? null : value;
const json = (value: string | undefined): unknown =>
  value === undefined || value === '' ? null : JSON.parse(value);

/** HGETALL as a Lua script returns it: field, value, field, value, ... */
export function hashOf(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

export function parseTask(hash: Record<string, string>): TaskRecord | undefined {
  if (!hash['id'] || !isTaskState(hash['state'])) return undefined;
  return {
    id: hash['id'],
    dealershipId: hash['dealershipId'] ?? '',
    title: hash['title'] ?? '',
    capability: hash['capability'] ?? '',
    state: hash['state'],
    assignee: str(hash['assignee']),
    createdBy: hash['createdBy'] ?? '',
    projectId: str(hash['projectId']),
    priority: Number(hash['priority'] ?? 0),
    version: Number(hash['version'] ?? 1),
    input: json(hash['input']),
    result: json(hash['result']),
    error: json(hash['error']),
    createdAt: Number(hash['createdAt']),
    updatedAt: Number(hash['updatedAt']),
    assignedAt: num(hash['assignedAt']),
    acceptedAt: num(hash['acceptedAt']),
    finishedAt: num(hash['finishedAt']),
    assignTo: str(hash['assignTo']),
    acceptTimeoutMs: Number(hash['acceptTimeoutMs'] ?? 0),
    deadline: num(hash['deadline']),
    attempts: Number(hash['attempts'] ?? 0),
    notBefore: num(hash['notBefore']),
  };
}

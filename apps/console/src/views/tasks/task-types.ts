export const TASK_STATES = [
  'pending',
  'assigned',
  'accepted',
  'completed',
  'failed',
  'cancelled',
] as const;
type TaskState = (typeof TASK_STATES)[number];

export interface TaskView {
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
  createdAt: string;
  updatedAt: string;
}

export interface AgentView {
  agentId: string;
  dealershipId: string;
  capabilities: string[];
  maxConcurrent: number;
  labels: Record<string, string>;
  status: 'online' | 'busy' | 'offline';
  activeTasks: number;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

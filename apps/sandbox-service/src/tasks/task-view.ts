import type { TaskRecord } from './task-record.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A task as the API and its events show it (TaskView of docs/api/tasks.md). */
export function taskView(task: TaskRecord) {
  return {
    id: task.id,
    dealershipId: task.dealershipId,
    title: task.title,
    capability: task.capability,
    state: task.state,
    assignee: task.assignee,
    createdBy: task.createdBy,
    projectId: task.projectId,
    priority: task.priority,
    version: task.version,
    input: task.input,
    result: task.result,
    error: task.error,
    attempts: task.attempts,
    deadline: task.deadline === null ? null : iso(task.deadline),
    createdAt: iso(task.createdAt),
    updatedAt: iso(task.updatedAt),
  };
}

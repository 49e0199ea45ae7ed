import { type EventType, rooms } from '@switchboard/events';
import type { OutboxEvent } from '@switchboard/outbox';
import { type TaskHistoryEntry, hashOf, parseTask } from './task-record.js';
import { taskView } from './task-view.js';

const EVENTS: Record<string, EventType> = {
  create: 'task.created',
  assign: 'task.assigned',
  accept: 'task.accepted',
  reject: 'task.rejected',
  timeout: 'task.rejected',
  delegate: 'task.delegated',
  complete: 'task.completed',
  fail: 'task.failed',
  retry: 'task.failed',
  expire: 'task.failed',
  cancel: 'task.cancelled',
};

/**
 * The event one task outbox entry (written by the transition that it announces) publishes, to
 * the assignee's room, every agent the transition concerns (the one that rejected or delegated),
 * the project's room and the dealership's room.
 */
export function taskEventsOf(payload: unknown): OutboxEvent[] {
  const { entry, fields } = payload as { entry: TaskHistoryEntry; fields: string[] };
  const task = parseTask(hashOf(fields));
  const event = EVENTS[entry.action];
  if (!task || !event) return [];
  const agents = new Set(
    [task.assignee, entry.agentId, entry.delegatedFrom].filter((id): id is string => !!id),
  );
  const targets = [
    ...[...agents].map((id) => rooms.agent(id)),
    ...(task.projectId ? [rooms.project(task.projectId)] : []),
    rooms.dealership(task.dealershipId),
  ];
  const data: Record<string, unknown> = {
    task: taskView(task),
    actor: entry.actor,
    from: entry.from,
    reason: entry.reason,
    at: new Date(entry.at).toISOString(),
  };
  if (event === 'task.rejected') data['agentId'] = entry.agentId ?? entry.actor;
  if (event === 'task.delegated') data['delegatedFrom'] = entry.delegatedFrom ?? entry.actor;
  if (entry.action === 'retry') data['retrying'] = true;
  return [{ rooms: targets, dealershipId: task.dealershipId, event, data } as OutboxEvent];
}

import { assertTenantAccess } from '@switchboard/auth';
import { AppError, ErrorCode } from '@switchboard/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TaskRecord } from '../../tasks/task-record.js';
import { taskView } from '../../tasks/task-view.js';

/** The task a request addresses, or 404 whether it is missing or another tenant's. */
export async function loadTask(
  app: FastifyInstance,
  request: FastifyRequest,
  id: string,
): Promise<TaskRecord> {
  const task = await app.taskRuntime.tasks.get(id);
  assertTenantAccess(request.principal, task?.dealershipId, 'Task', id);
  return task!;
}

/** If-Match as a version number ("3", 3 or W/"3"); undefined without the header. */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  return Number(header.replace(/^W\//, '').replaceAll('"', ''));
}

/** A client-supplied JSON value (input, result, error) within TASK_MAX_BYTES, else 413. */
export function assertBounded(value: unknown, maxBytes: number, field: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null));
  if (bytes > maxBytes)
    throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `The task ${field} is too large.`, {
      field,
      bytes,
      maxBytes,
    });
}

/** The view of a task with its version as ETag, so the next change can send If-Match. */
export function sendTask(reply: FastifyReply, task: TaskRecord) {
  void reply.header('etag', `"${task.version}"`);
  return { success: true as const, data: taskView(task) };
}

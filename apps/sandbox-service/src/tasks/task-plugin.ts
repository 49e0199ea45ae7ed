import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SandboxRuntimeSettings } from '../config.js';
import { createTaskMetrics } from './task-metrics.js';
import { type TaskRuntime, createTaskRuntime } from './task-runtime.js';

declare module 'fastify' {
  interface FastifyInstance {
    taskRuntime: TaskRuntime;
  }
}

/** Tasks, agents, their events, timers and metrics over the app's Redis. */
async function taskRuntimePlugin(
  app: FastifyInstance,
  options: { settings: SandboxRuntimeSettings },
): Promise<void> {
  const ks = app.sandbox.keyspace;
  const holder: { runtime?: TaskRuntime } = {};
  // The gauge reads the store the runtime below builds (at scrape time, long after this).
  const metrics = createTaskMetrics(app.metrics, () => holder.runtime!.tasks.stateCounts());
  const runtime = createTaskRuntime({
    redis: app.redis,
    keyspace: ks,
    settings: options.settings,
    onQueueError: (error) => app.log.warn({ err: error }, 'task queue connection error'),
    log: { warn: (details, message) => app.log.warn(details, message) },
    metrics,
  });
  holder.runtime = runtime;
  app.decorate('taskRuntime', runtime);
  app.addHook('onClose', async () => {
    await runtime.close();
  });
}

export const taskPlugin = fp(taskRuntimePlugin, {
  name: 'task-runtime',
  fastify: '5.x',
  dependencies: ['sandbox-runtime', '@switchboard/metrics'],
});

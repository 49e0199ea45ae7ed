import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { autoPauseDecision } from '../domain/auto-pause-policy.js';
import type { SandboxMetrics } from '../metrics/sandbox-metrics.js';
import { scheduleAutoPause } from '../runtime/queues.js';
import type { SandboxRuntime } from '../runtime/sandbox-runtime.js';
import type { AutoPauseJobData } from '../schemas/control.js';

/**
 * One tick of a sandbox's auto-pause check. Several workers may run ticks; the atomic transition
 * makes sure only one pause happens (a second one is refused as paused -> paused).
 */
export function createAutoPauseProcessor(deps: { runtime: SandboxRuntime; metrics: SandboxMetrics; log: Logger }) {
  const { runtime, metrics, log } = deps;
  return async (job: Job<AutoPauseJobData>): Promise<string> => {
    const sandbox = await runtime.sandboxes.get(job.data.sandboxId);
    if (!sandbox || sandbox.state === 'terminated') {
      await scheduleAutoPause(runtime.queues, job.data.sandboxId, runtime.settings.AUTO_PAUSE_CHECK_INTERVAL_MS, false);
      return 'unscheduled';
    }
    if (sandbox.state !== 'active') return 'not-active';
    const policy = sandbox.settings.autoPause ?? {};
    const running = await runtime.executions.running(sandbox.id);
    const memoryBytes = policy.maxMemoryMb ? (await runtime.driver.usage(sandbox.id)).rssBytes : undefined;
    const decision = autoPauseDecision({ now: Date.now(), state: sandbox.state, lastActivityAt: sandbox.lastActivityAt, clock: sandbox, running, memoryBytes, settings: policy });
    if (!decision) return 'ok';
    const outcome = await runtime.operations.act(sandbox, 'pause', { actor: 'system', source: decision.source, reason: decision.reason });
    metrics.operations.inc({ operation: decision.source.replace(':', '_').replace('-', '_'), status: outcome.kind === 'ok' ? 'ok' : outcome.kind });
    if (outcome.kind === 'ok' && decision.executionId) await runtime.executions.markLimitReported(decision.executionId);
    if (outcome.kind === 'ok') log.info({ sandboxId: sandbox.id, source: decision.source, reason: decision.reason }, 'sandbox auto-paused');
    return outcome.kind === 'ok' ? decision.source : 'raced';
  };
}
